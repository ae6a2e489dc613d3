//! Laying out a 150-word message on an A6 card with the chocolate theme:
//! shaping, line breaking, balancing and fitting (no rendering).

use criterion::{criterion_group, criterion_main, Criterion};
use waxseal::layout::{layout, Content, Frame};

const MESSAGE: &str = "Thank you for shopping with us, Deb! Your order was made with *love* by *Beverly*, \
our very own craft genius, at the big table under the studio window. Every stitch was checked twice \
and wrapped in tissue, so it reaches you **exactly** as she meant it to.

On Friday our courier lifted your parcel into a shiny van. A small crowd gathered, one person cried, \
and we all waved until the van turned the corner. Your parcel now rides in *first class*, next to a box \
of very polite teacups. It promises to behave, and to arrive soon.

We hope the blue bowl finds a good place on your kitchen table, and that it holds many breakfasts, \
a few late dinners and, now and then, a bunch of flowers from the garden. Thank you again for \
choosing a small studio like ours. You're welcome back anytime.";

fn bench(c: &mut Criterion) {
    let root = tempfile::tempdir().unwrap();
    let theme = waxseal::theme::load(root.path(), "chocolate").unwrap();
    let rich = waxseal::markup::render(MESSAGE, false).expect("the message nests a few levels").rich;
    assert!((140..=170).contains(&MESSAGE.split_whitespace().count()));
    let frame = Frame { width: 917.6, height: 1206.1, px_per_pt: 300.0 / 72.0, text_scale: 1.0 };
    let content = Content {
        title: Some("Thank you, Deb"),
        text: &rich,
        signature: Some("with love, Beverly"),
        lang: None,
        pictures: &[],
        signed: None,
    };
    c.bench_function("layout 150 words on A6", |b| b.iter(|| layout(&theme, content, frame).unwrap()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
