//! The files a card makes in its folder, `cards/SLUG/`, and which outputs
//! ask for each: the one place their names are spelled.

use crate::config::Outputs;

/// A file of a card's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Artifact {
    /// `card.png`, the print-quality card.
    Png,
    /// `thumb.png`, the gallery's thumbnail.
    Thumb,
    /// `share.png`, the link-preview picture.
    Share,
    /// `card-1x.webp`: the card for the pages as wide as the thumbnail (at
    /// most the card's own width; see [`super::pictures::web_widths`]).
    Web1x,
    /// `card-2x.webp`: the card for the pages twice as wide (at most its own width).
    Web2x,
    /// `card-3x.webp`: the card for the pages three times as wide (at most its own width).
    Web3x,
    /// `card.svg`, the card with its text as outlines.
    Svg,
    /// `card.pdf`, the print card.
    Pdf,
    /// `message.eml`, the note as an email (made with the PNG, so it counts
    /// as a picture).
    Email,
    /// `index.html`, the card's page.
    Page,
}

impl Artifact {
    /// The pictures `outputs` makes in a card's folder, in the order they are listed.
    pub fn pictures_for(outputs: &Outputs) -> impl Iterator<Item = Artifact> + '_ {
        Artifact::PICTURES.into_iter().filter(|a| a.made_for(outputs))
    }

    /// The card's pictures: what is drawn (or kept from the last build) together.
    pub const PICTURES: [Artifact; 9] = [
        Artifact::Png,
        Artifact::Thumb,
        Artifact::Share,
        Artifact::Web1x,
        Artifact::Web2x,
        Artifact::Web3x,
        Artifact::Svg,
        Artifact::Pdf,
        Artifact::Email,
    ];

    /// The pictures of the card for the pages, smallest first.
    pub const WEB: [Artifact; 3] = [Artifact::Web1x, Artifact::Web2x, Artifact::Web3x];

    /// Every file a card's folder may hold.
    pub const ALL: [Artifact; 10] = [
        Artifact::Png,
        Artifact::Thumb,
        Artifact::Share,
        Artifact::Web1x,
        Artifact::Web2x,
        Artifact::Web3x,
        Artifact::Svg,
        Artifact::Pdf,
        Artifact::Email,
        Artifact::Page,
    ];

    /// Its file's name in the card's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Artifact::Png => "card.png",
            Artifact::Thumb => "thumb.png",
            Artifact::Share => "share.png",
            Artifact::Web1x => "card-1x.webp",
            Artifact::Web2x => "card-2x.webp",
            Artifact::Web3x => "card-3x.webp",
            Artifact::Svg => "card.svg",
            Artifact::Pdf => "card.pdf",
            Artifact::Email => crate::email::FILE,
            Artifact::Page => "index.html",
        }
    }

    /// Whether `outputs` asks for it.
    pub fn made_for(self, outputs: &Outputs) -> bool {
        match self {
            Artifact::Png | Artifact::Thumb | Artifact::Share => outputs.png,
            // The pictures for the pages are pictures of the card, as the
            // thumbnail is, made only with the pages that show them (they
            // are most of a card's encoding time).
            Artifact::Web1x | Artifact::Web2x | Artifact::Web3x => outputs.png && outputs.html,
            Artifact::Svg => outputs.svg,
            Artifact::Pdf => outputs.pdf,
            Artifact::Email => outputs.email,
            Artifact::Page => outputs.html,
        }
    }

    /// Its path in the output folder, for the card `slug`.
    pub fn path(self, slug: &str) -> String {
        format!("cards/{slug}/{}", self.file_name())
    }

    /// Whether output file `file` (a path in the output folder) is one of a
    /// card's pictures (not its page or seal).
    pub fn is_picture(file: &str) -> bool {
        file.rsplit_once('/').is_some_and(|(_, name)| Artifact::PICTURES.iter().any(|a| a.file_name() == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_known_by_their_file_names() {
        assert!(Artifact::is_picture("cards/a/card.png"));
        assert!(Artifact::is_picture("cards/a/b/message.eml"));
        assert!(!Artifact::is_picture("cards/a/index.html"));
        assert!(!Artifact::is_picture("assets/seals/1234.svg"));
        let png_only = Outputs { png: true, ..Outputs::parse([]).unwrap() };
        let names: Vec<_> = Artifact::pictures_for(&png_only).map(Artifact::file_name).collect();
        assert_eq!(names, ["card.png", "thumb.png", "share.png"], "no pages: no pictures for them");
        let with_pages = Outputs { html: true, ..png_only };
        let names: Vec<_> = Artifact::pictures_for(&with_pages).map(Artifact::file_name).collect();
        assert_eq!(names, ["card.png", "thumb.png", "share.png", "card-1x.webp", "card-2x.webp", "card-3x.webp"]);
        assert!(Artifact::is_picture("cards/a/card-3x.webp"));
    }
}
