//! A card's email, but for its picture: the headers, the note as plain text
//! and the HTML of the theme's `email.html.tera`.

use crate::config::SiteConfig;
use crate::content::Message;
use crate::diagnostics::Diagnostic;
use crate::site;
use crate::theme::Theme;

use super::compose::LaidCard;
use super::entry::first_words;

/// Why a card's email could not be made.
pub enum CardEmailError {
    /// Its address is not one: an error of the card, whose other files are made.
    Address(Diagnostic),
    /// The theme's email template failed.
    Template(tera::Error),
    /// The theme has no email template.
    Missing(Diagnostic),
}

/// The email of card `m` (`with_pages`: the site's pages are made too, so
/// it may link them; `built`: the day of the build, its date when it has
/// none), but for its picture: the headers, the note as
/// plain text and the HTML of the theme's `email.html.tera`.
pub fn card_email(
    config: &SiteConfig,
    with_pages: bool,
    built: jiff::civil::Date,
    theme: &Theme,
    m: &Message,
    card: &LaidCard,
) -> Result<crate::email::Email, CardEmailError> {
    use crate::email::{self, Email, EmailPage, Mailbox};
    if !theme.files.contains_key(email::TEMPLATE) {
        let yaml = theme.origin("theme.yaml");
        let path = yaml.parent().map_or_else(|| email::TEMPLATE.into(), |dir| dir.join(email::TEMPLATE));
        return Err(CardEmailError::Missing(
            Diagnostic::error(path, 0, 0, format!("the theme `{}` has no email template", theme.name))
                .with_hint("add an email.html.tera (see docs/themes.md), or `extends: chocolate` in its theme.yaml"),
        ));
    }
    let to = email::recipient(m).map_err(CardEmailError::Address)?;
    let mailbox = |text: &Option<String>| text.as_deref().and_then(|t| Mailbox::parse(t).ok());
    let from = mailbox(&config.email.from).expect("a build with emails has a valid `email.from`");
    let mut email = Email {
        slug: m.slug.clone(),
        from,
        reply_to: mailbox(&config.email.reply_to),
        to,
        subject: email::one_line(&card.title.clone().unwrap_or_else(|| first_words(&card.alt, 6)))
            .unwrap_or_else(|| "Untitled card".into()),
        date: email::date_of(m.front.date.as_deref(), m.date, built),
        text: String::new(),
        html: String::new(),
    };
    let mut text = email::plain_text(&card.markup.rich);
    if let Some(signature) = &card.signature {
        text.push_str(&format!("\n\n{signature}"));
    }
    text.push('\n');
    email.text = text;
    let date = m.date.map(|d| d.date().to_string()).unwrap_or_default();
    let date_display = m.date.map(|d| d.strftime("%B %-d, %Y").to_string()).unwrap_or_default();
    // The site's pages and fonts can be linked only from where it is published.
    let published = with_pages && config.base_url.contains("://");
    let card_url = if published { site::card_url(config, &m.slug) } else { String::new() };
    let font_urls: Vec<(String, String)> = match published {
        true => theme.faces.values().map(|face| (face.file.clone(), site::font_url(config, face))).collect(),
        false => Vec::new(),
    };
    let page = EmailPage::new(
        theme,
        &email,
        m.front.title.is_some(),
        &card.markup.html,
        card.signature.as_deref().unwrap_or(""),
        (&date, &date_display),
        (card.size.width, card.size.height, &card.alt),
        card_url,
        &font_urls,
    );
    let mut context = tera::Context::new();
    context.insert("site", config);
    context.insert("email", &page);
    let html =
        crate::template::render(&theme.templates, email::TEMPLATE, &context).map_err(CardEmailError::Template)?;
    email.html = html;
    Ok(email)
}
