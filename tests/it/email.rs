//! The note as an email: `outputs: [email]` makes `cards/SLUG/message.eml`.
//! Each file is read back with a real MIME parser (Python's `email`
//! package, with its modern policy) and its HTML part is shown in headless
//! Chromium, as a mail client with a browser engine would.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::browser::Browser;
use crate::support::{require, serve, site_tree, Site};

/// Reads an .eml file with Python's `email` package and prints what a mail
/// client would see as JSON; the picture's bytes go to the file argv[2].
const READ_EML: &str = r#"
import email, email.policy, json, sys
from html.parser import HTMLParser
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=email.policy.default)
def tree(part):
    if part.is_multipart():
        return [part.get_content_type(), [tree(p) for p in part.iter_parts()]]
    return part.get_content_type()
def mailbox(name):
    header = msg[name]
    if header is None:
        return None
    return [[a.display_name, a.addr_spec] for a in header.addresses]
images = [p for p in msg.walk() if p.get_content_type() == 'image/png']
image = images[0]
open(sys.argv[2], 'wb').write(image.get_content())
html = msg.get_body(('html',)).get_content()
class Images(HTMLParser):
    found = []
    metas = []
    def handle_starttag(self, tag, attrs):
        if tag == 'img':
            self.found.append(dict(attrs))
        if tag == 'meta':
            self.metas.append(dict(attrs))
parser = Images()
parser.feed(html)
defects = [str(d) for part in msg.walk() for d in part.defects]
print(json.dumps({
    'structure': tree(msg),
    'from': mailbox('From'),
    'to': mailbox('To'),
    'reply_to': mailbox('Reply-To'),
    'subject': msg['Subject'],
    'date': msg['Date'],
    'message_id': msg['Message-ID'],
    'card': msg['X-Waxseal-Card'],
    'text': msg.get_body(('plain',)).get_content(),
    'html': html,
    'images_in_html': parser.found,
    'metas': parser.metas,
    'cid': image['Content-ID'],
    'disposition': image.get_content_disposition(),
    'defects': defects,
}))
"#;

/// What an .eml file holds, as Python's `email` package reads it, and the
/// bytes of its picture.
fn read_eml(path: &Path) -> (Value, Vec<u8>) {
    let picture = tempfile::NamedTempFile::new().unwrap();
    let out =
        Command::new("python3").args(["-c", READ_EML]).arg(path).arg(picture.path()).output().expect("python3 runs");
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    let parsed = serde_json::from_slice(&out.stdout).expect("JSON from the script");
    (parsed, std::fs::read(picture.path()).unwrap())
}

/// The fixture site with emails on, Deb's card addressed to her.
fn shop() -> Site {
    let site = Site::fixture("basic");
    site.add_settings(
        "outputs: [html, png, email]\nemail:\n  from: \"Beverly's Shop <hello@shop.example>\"\n  reply_to: orders@shop.example\n",
    );
    let love = std::fs::read_to_string(site.root().join("content/love.md")).unwrap();
    site.write("content/love.md", &love.replace("to: Deb\n", "to: Deb\nemail: deb@example.org\n"));
    site
}

#[test]
fn a_card_is_an_email_with_its_picture_inline() {
    let site = shop();
    let day = || jiff::tz::Offset::UTC.to_datetime(jiff::Timestamp::now()).date().strftime("%a, %d %b %Y").to_string();
    let before = day();
    let run = site.build(&[]);
    let after = day();
    assert_eq!(run.code, 0, "{}", run.stderr);
    require!("python3");
    let (eml, picture) = read_eml(&site.output("cards/love/message.eml"));
    assert_eq!(eml["defects"], serde_json::json!([]), "the parser finds nothing wrong");
    assert_eq!(
        eml["structure"],
        serde_json::json!(["multipart/related", [["multipart/alternative", ["text/plain", "text/html"]], "image/png"]])
    );
    assert_eq!(eml["from"], serde_json::json!([["Beverly's Shop", "hello@shop.example"]]));
    assert_eq!(eml["to"], serde_json::json!([["Deb", "deb@example.org"]]));
    assert_eq!(eml["reply_to"], serde_json::json!([["", "orders@shop.example"]]));
    assert_eq!(eml["subject"], "Thank you, Deb");
    assert_eq!(eml["date"], "Mon, 23 Nov 2026 12:00:00 +0000", "the card's date, at noon UTC");
    assert_eq!(eml["card"], "love");
    let id = eml["message_id"].as_str().unwrap();
    let hash = id.strip_prefix('<').and_then(|i| i.strip_suffix("@shop.example>")).expect(id);
    assert!(hash.len() == 32 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    // Text parts have CRLF line ends, as MIME's canonical form (and SMTP) wants.
    assert_eq!(
        eml["text"].as_str().unwrap().replace("\r\n", "\n"),
        "Your order was made with *love* by *Beverly*, our very own craft genius.\n\n\
         You\u{2019}re welcome back anytime.\n\nwith love, Beverly\n"
    );
    // The picture is the card's PNG, shown inline by the HTML.
    assert_eq!(picture, std::fs::read(site.output("cards/love/card.png")).unwrap(), "the card PNG itself");
    assert_eq!(eml["disposition"], "inline");
    let cid = eml["cid"].as_str().unwrap().trim_matches(['<', '>']);
    let images = eml["images_in_html"].as_array().unwrap();
    assert_eq!(images.len(), 1, "{images:?}");
    assert_eq!(images[0]["src"], format!("cid:{cid}"));
    assert_eq!(
        images[0]["alt"].as_str().unwrap().replace("\r\n", "\n"),
        "Your order was made with love by Beverly, our very own craft genius.\n\nYou\u{2019}re welcome back anytime."
    );
    assert_eq!((images[0]["width"].as_str(), images[0]["height"].as_str()), (Some("520"), Some("733")));
    // The HTML part: the theme's look inline, nothing a mail client strips.
    let html = eml["html"].as_str().unwrap();
    assert!(html.contains("<em style=\"color:#a63d5e;font-style:italic;text-decoration:none;\">love</em>"), "{html}");
    assert!(html.contains("Thank you, Deb") && html.contains("with love, Beverly"), "{html}");
    assert!(!html.contains("<script") && !html.contains("<link"), "{html}");
    // Every <meta> valid HTML (the Nu checker wants a `content` beside a
    // `name`), Apple Mail's reformatting switch included.
    let metas = eml["metas"].as_array().unwrap();
    assert!(metas.iter().any(|m| m["name"] == "x-apple-disable-message-reformatting"), "{metas:?}");
    for meta in metas {
        assert!(meta.get("charset").is_some() || meta.get("content").is_some(), "{meta}: no content");
    }
    assert!(!html.contains("@font-face"), "no web fonts when the site is not published at an absolute URL");
    // A card without an address still has its email, to no one.
    let (plain, _) = read_eml(&site.output("cards/plain/message.eml"));
    assert_eq!(plain["to"], Value::Null);
    assert_eq!(plain["subject"], "A plain note with no front\u{2026}", "its first words");
    let undated = plain["date"].as_str().unwrap();
    assert!(
        [&before, &after].iter().any(|d| undated == format!("{d} 12:00:00 +0000")),
        "undated: the day it was built, at noon UTC ({undated}, built {before})"
    );
    assert_eq!(plain["card"], "plain");
    // For a reproducible build, the day given by SOURCE_DATE_EPOCH
    // (4 March 2027, 09:00 UTC); the card's own date wins over it.
    let run = site.run_with(&["build", "--output", "out-epoch"], &[("SOURCE_DATE_EPOCH", "1804150800")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (plain, _) = read_eml(&site.root().join("out-epoch/cards/plain/message.eml"));
    assert_eq!(plain["date"], "Thu, 04 Mar 2027 12:00:00 +0000");
    let (love, _) = read_eml(&site.root().join("out-epoch/cards/love/message.eml"));
    assert_eq!(love["date"], "Mon, 23 Nov 2026 12:00:00 +0000");
}

#[test]
fn emails_are_the_same_bytes_every_build() {
    let site = shop();
    assert_eq!(site.build(&["--output", "out-a"]).code, 0);
    assert_eq!(site.build(&["--output", "out-b"]).code, 0);
    let (a, b) = (site_tree(&site.root().join("out-a")), site_tree(&site.root().join("out-b")));
    let emails: Vec<&String> = a.keys().filter(|f| f.ends_with("/message.eml")).collect();
    assert_eq!(emails.len(), 3, "{emails:?}");
    for file in emails {
        assert!(a[file] == b[file], "{file} differs between two builds");
    }
}

#[test]
fn merged_cards_each_get_an_email_to_their_row() {
    let site = Site::fixture("merge");
    site.add_settings("outputs: [html, png, email]\nemail:\n  from: Beverly <bev@shop.example>\n");
    site.write(
        "content/orders.csv",
        "name,nickname,order_id,items,shipped,email\n\
         Ann Archer,,A-101,1,2026-06-01,ann@example.org\n\
         Bob Brown,,A-102,3,2026-06-02,bob.example.org\n\
         Cleo Castillo,Cleopatra,A-103,5,2026-06-03,cleo@example.org\n\
         Dmitri Dunn,,A-104,2,2026-06-04,\n",
    );
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "content/orders.csv:3:1: error: row 2: `bob.example.org` is not an email address\n  \
             hint: the row's `email` is where its card's email is sent: write an address such as `deb@example.org`"
        ),
        "{}",
        run.stderr
    );
    // Bob's card is made; only its email is not.
    assert!(site.output("cards/thanks/A-102/card.png").is_file());
    assert!(!site.output("cards/thanks/A-102/message.eml").exists());
    require!("python3");
    for (slug, to, subject) in [
        ("A-101", Some(("Ann Archer", "ann@example.org")), "Thank you, Ann Archer"),
        ("A-103", Some(("Cleo Castillo", "cleo@example.org")), "Thank you, Cleo Castillo"),
        ("A-104", None, "Thank you, Dmitri Dunn"),
    ] {
        let (eml, _) = read_eml(&site.output(&format!("cards/thanks/{slug}/message.eml")));
        let expected = to.map_or(Value::Null, |(name, address)| serde_json::json!([[name, address]]));
        assert_eq!(eml["to"], expected, "{slug}");
        assert_eq!(eml["subject"], subject);
        assert_eq!(eml["card"], format!("thanks/{slug}"));
    }
}

#[test]
fn an_address_that_is_not_one_is_an_error_at_its_place() {
    let site = shop();
    site.write("content/x.md", "---\ntitle: Hi\nto: Ex\nemail: not-an-address\n---\nHello.\n");
    let expected = "content/x.md:4:8: error: `not-an-address` is not an email address\n  \
         hint: `email:` is where the card's email is sent: write an address such as `deb@example.org`";
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    assert!(site.output("cards/x/card.png").is_file() && site.output("cards/x/index.html").is_file());
    assert!(!site.output("cards/x/message.eml").exists());
    assert!(site.output("cards/love/message.eml").is_file(), "the other cards' emails are made");
    // Still wrong in the next build, which does not make the card again.
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(expected), "{}", run.stderr);
    site.write("content/x.md", "---\ntitle: Hi\nto: Ex\nemail: ex@example.org\n---\nHello.\n");
    assert_eq!(site.build(&[]).code, 0);
    require!("python3");
    let (eml, _) = read_eml(&site.output("cards/x/message.eml"));
    assert_eq!(eml["to"], serde_json::json!([["Ex", "ex@example.org"]]));
}

#[test]
fn emails_need_a_sender_in_the_settings() {
    let site = Site::fixture("basic");
    site.add_settings("outputs: [html, email]\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "waxseal.yaml:4:1: error: `email` is an output but the emails are from no one\n  \
             hint: say who they are from in waxseal.yaml: `email: { from: \"Beverly's Shop <hello@shop.example>\" }`"
        ),
        "{}",
        run.stderr
    );
    // Asked for on the command line: the settings have no line to show.
    let site = Site::fixture("basic");
    let run = site.build(&["--outputs", "html,email"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("waxseal.yaml: error: `email` is an output but the emails are from no one"),
        "{}",
        run.stderr
    );
    assert!(!site.output("cards").exists(), "nothing is built");
    let site = Site::fixture("basic");
    site.add_settings("email:\n  form: hello@shop.example\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("hint: did you mean `from`?"), "{}", run.stderr);
    assert!(run.stderr.contains("waxseal.yaml:5:3: error: email: unknown field `form`"), "{}", run.stderr);
    let site = Site::fixture("basic");
    site.add_settings("email:\n  from: \"Shop <shop.example>\"\n");
    let run = site.build(&["--outputs", "html,email"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("waxseal.yaml:5:10: error: email.from: `Shop <shop.example>` is not an email address"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_email_without_png_output_still_carries_the_card_and_goes_with_it() {
    let site = shop();
    let run = site.build(&["--outputs", "email"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!site.output("cards/love/card.png").exists(), "card.png is not asked for");
    require!("python3");
    let (_, picture) = read_eml(&site.output("cards/love/message.eml"));
    let png = crate::support::Image::read(&{
        let file = site.root().join("picture.png");
        std::fs::write(&file, &picture).unwrap();
        file
    });
    assert_eq!((png.width, png.height), (1240, 1748), "the print card, A6 at 300 dpi");
    // Not asked for any more: the emails go.
    assert_eq!(site.build(&["--outputs", "html,png"]).code, 0);
    assert!(!site.output("cards/love/message.eml").exists());
    // Asked for again, then the card removed: its email goes with it.
    assert_eq!(site.build(&[]).code, 0);
    assert!(site.output("cards/orders/shipped/message.eml").is_file());
    std::fs::remove_file(site.root().join("content/orders/shipped.md")).unwrap();
    assert_eq!(site.build(&[]).code, 0);
    assert!(!site.output("cards/orders").exists());
}

#[test]
fn a_site_theme_styles_its_emails_and_its_errors_name_the_template() {
    let site = shop();
    site.write("themes/chocolate/email.html.tera", "<p>{{ email.title }}{% if email.to %} for {{ email.to.name }}{% endif %}</p>\n<img src=\"{{ email.image.src }}\" alt=\"\">\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    require!("python3");
    let (eml, _) = read_eml(&site.output("cards/love/message.eml"));
    assert!(eml["html"].as_str().unwrap().starts_with("<p>Thank you, Deb for Deb</p>"), "{}", eml["html"]);
    // Editing the template makes the email again.
    site.write("themes/chocolate/email.html.tera", "<p>Hello {{ email.title }}</p>\n{{ email.nope }}\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("themes/chocolate/email.html.tera:2:"), "{}", run.stderr);
}

#[test]
fn the_email_of_every_theme_fits_600_and_375_pixels_and_shows_the_card() {
    let site = Site::empty();
    let themes = ["chocolate", "classic", "kraft", "minimal"];
    for theme in themes {
        site.write(
            &format!("content/{theme}.md"),
            &format!(
                "---\ntitle: Thank you, Deb\nto: Deb\nemail: deb@example.org\nfrom: Beverly\ndate: 2026-11-23\ntheme: {theme}\n---\n\
                 Your order was made with *love* by *Beverly*, our very own craft genius: \
                 https://example.org/a/rather/long/address/that/does/not/break/easily/anywhere\n\n\
                 You're welcome back anytime.\n"
            ),
        );
    }
    // Served with the site's output, at the address the build is told: the
    // email's web fonts load as they would from the published site.
    let origin = serve(site.root());
    site.write("waxseal.yaml", "email:\n  from: Shop <hello@shop.example>\noutputs: [html, png, email]\n");
    let run = site.build(&["--base-url", &format!("{origin}output/")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    require!("python3", "chromium");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("email");
    std::fs::create_dir_all(&shots).unwrap();
    let mut browser: Option<(Browser, crate::browser::Page)> = None;
    for theme in themes {
        let (eml, picture) = read_eml(&site.output(&format!("cards/{theme}/message.eml")));
        let html = eml["html"].as_str().unwrap();
        assert!(html.contains("@font-face"), "{theme}: web fonts, as an enhancement");
        // The `cid:` picture as a mail client shows it: here, a file beside the page.
        let cid = eml["cid"].as_str().unwrap().trim_matches(['<', '>']);
        let family = html.split("@font-face { font-family: '").nth(1).and_then(|f| f.split('\'').next()).unwrap();
        let family = family.to_string();
        site.write(&format!("look/{theme}.html"), &html.replace(&format!("cid:{cid}"), &format!("{theme}.png")));
        std::fs::write(site.root().join(format!("look/{theme}.png")), &picture).unwrap();
        let url = format!("{origin}look/{theme}.html");
        let (_, page) = browser.get_or_insert_with(|| {
            let browser = Browser::open(&url);
            let page = browser.page(&url);
            (browser, page)
        });
        for width in [600, 375] {
            page.set_viewport(width, 900);
            page.load(&url);
            let scroll = page.eval("document.documentElement.scrollWidth").and_then(|v| v.as_u64()).unwrap();
            assert!(scroll <= u64::from(width), "{theme} at {width} px scrolls sideways: {scroll} px wide");
            let shown = page
                .eval("(() => { const i = document.images[0]; return [i.naturalWidth, i.getBoundingClientRect().width]; })()")
                .unwrap();
            assert_eq!(shown[0], 1240, "{theme}: the card picture is shown");
            let drawn = shown[1].as_f64().unwrap();
            assert!(drawn > f64::from(width) * 0.6 && drawn <= 520.0, "{theme} at {width} px: picture {drawn} px wide");
            let loaded = format!(
                "[...document.fonts].some(f => f.family.replace(/[\"']/g, '') === '{family}' && f.status === 'loaded')"
            );
            assert_eq!(page.eval(&loaded), Some(Value::Bool(true)), "{theme}: the theme's font {family} is loaded");
            std::fs::write(shots.join(format!("{theme}-{width}.png")), page.full_screenshot(width)).unwrap();
        }
    }
}
