//! Choosing where lines end: greedy (to count lines fast while fitting) and
//! balanced (minimum raggedness over a whole paragraph, for the final
//! layout), plus last-resort splits of a word wider than the line.
//!
//! Pure arithmetic on segment widths in em; no fonts.

use std::borrow::Cow;
use std::ops::Range;

use super::cjk::reach;

/// A stretch of text between two break opportunities.
#[derive(Debug, Clone)]
pub(super) struct Segment {
    /// Byte range in the block's text, trailing spaces excluded.
    pub range: Range<usize>,
    /// Width without trailing spaces, in em.
    pub width: f32,
    /// Width of the trailing spaces, in em.
    pub space: f32,
    /// A hard line break follows.
    pub hard_break: bool,
    /// Places inside the segment where it may be split if it is wider than
    /// a line, in order.
    pub splits: Vec<Split>,
    /// Width of the hyphen drawn when a line ends after this segment, in em;
    /// 0 unless the segment is a syllable of a hyphenated word.
    pub hyphen: f32,
    /// What a line ending in this segment costs, as the share of a line it
    /// weighs like a gap of: for a hyphen, see `hyphen::Syllable`; without
    /// one, 0 but inside a Japanese or Chinese word (`cjk::Break`).
    pub penalty: f32,
}

/// A place inside a segment where a too-wide word may be split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Split {
    /// Byte offset in the block's text.
    pub at: usize,
    /// Width from the segment's start up to `at`, in em.
    pub width: f32,
    /// After `/`, `-`, `.` and the like (preferred); otherwise between two characters.
    pub soft: bool,
}

/// Width of a line made of `segs`, in em: the last segment's spaces hang.
pub(super) fn line_width(segs: &[Segment]) -> f32 {
    match segs.split_last() {
        Some((last, rest)) => rest.iter().map(|s| s.width + s.space).sum::<f32>() + last.width + last.hyphen,
        None => 0.0,
    }
}

/// The segments, with every segment wider than `max` split at its split
/// points (from `splits_of`): after `/`, `-` or `.` where that fits, else
/// between characters. `splits_of` also says how far, in em, the ink of a
/// piece may run past its ends (a piece's first and last letters are new
/// ends of the line); the pieces are that much narrower than `max`.
pub(super) fn split_wide(
    segs: &[Segment],
    max: f32,
    splits_of: impl Fn(&Segment) -> (Vec<Split>, f32),
) -> Cow<'_, [Segment]> {
    let fits = |seg: &Segment| seg.width + seg.hyphen <= max + 1e-4;
    // Most paragraphs have no word wider than a line: nothing to copy.
    if segs.iter().all(fits) {
        return Cow::Borrowed(segs);
    }
    let mut out = Vec::with_capacity(segs.len());
    for seg in segs {
        if fits(seg) {
            out.push(seg.clone());
            continue;
        }
        let mut seg = seg.clone();
        let mut ink = 0.0;
        if seg.splits.is_empty() {
            (seg.splits, ink) = splits_of(&seg);
        }
        let max = max - ink;
        if seg.splits.is_empty() {
            out.push(seg);
            continue;
        }
        let (mut start, mut done) = (seg.range.start, 0.0f32);
        // The splits after `start` that fit are the ones from `next` on up
        // to a width (widths only grow): each piece looks only at those, so
        // a word of a million characters is split in one pass, not in a
        // pass per line.
        let mut next = 0;
        loop {
            if seg.width + seg.hyphen - done <= max + 1e-4 {
                break;
            }
            while next < seg.splits.len() && seg.splits[next].at <= start {
                next += 1;
            }
            let fitting = seg.splits[next..].iter().take_while(|s| s.width - done <= max + 1e-4);
            let (last, last_soft) =
                fitting.fold((None, None), |(_, soft), s| (Some(*s), if s.soft { Some(*s) } else { soft }));
            // Not even one character fits: take one anyway rather than loop.
            let Some(split) = last_soft.or(last).or_else(|| seg.splits.get(next).copied()) else {
                break;
            };
            out.push(Segment {
                range: start..split.at,
                width: split.width - done,
                space: 0.0,
                hard_break: false,
                splits: Vec::new(),
                hyphen: 0.0,
                penalty: 0.0,
            });
            start = split.at;
            done = split.width;
        }
        out.push(Segment {
            range: start..seg.range.end,
            width: seg.width - done,
            space: seg.space,
            hard_break: seg.hard_break,
            splits: Vec::new(),
            hyphen: seg.hyphen,
            penalty: seg.penalty,
        });
    }
    Cow::Owned(out)
}

/// The most lines in a row that may end with a hyphen: a third makes a
/// ladder down the right edge.
pub(super) const MAX_HYPHENS: usize = 2;

/// Line ends (exclusive segment indices) filling each line as far as it
/// goes, but for a line that would end inside a compound's part, which ends
/// at the compound's joint where the joint is on the line, and for a third
/// hyphenated line in a row, which ends at its last whole word instead.
pub(super) fn greedy_breaks(segs: &[Segment], max: f32) -> Vec<usize> {
    let mut breaks = Vec::new();
    let (mut start, mut width, mut hyphens) = (0, 0.0, 0);
    let mut i = 0;
    while i < segs.len() {
        let seg = &segs[i];
        if i > start && width + seg.width + seg.hyphen > max + 1e-4 {
            let mut end = cheaper_end(segs, start, i, max);
            if segs[end - 1].hyphen > 0.0 && hyphens >= MAX_HYPHENS {
                end = (start + 1..end).rev().find(|&k| segs[k - 1].hyphen == 0.0).unwrap_or(end);
            }
            hyphens = if segs[end - 1].hyphen > 0.0 { hyphens + 1 } else { 0 };
            breaks.push(end);
            (start, width, i) = (end, 0.0, end);
            continue;
        }
        width += seg.width + seg.space;
        if seg.hard_break {
            breaks.push(i + 1);
            (start, width, hyphens) = (i + 1, 0.0, 0);
        }
        i += 1;
    }
    if breaks.last() != Some(&segs.len()) && start < segs.len() {
        breaks.push(segs.len());
    }
    breaks
}

/// Where a line `segs[start..end]` had better end: `end`, or the nearest
/// earlier place of the lowest cost below its own: in the same word, a
/// compound's joint for a line that would end inside one of its parts; in
/// Japanese and Chinese, a break between words for a line that would end
/// inside one, if the line then stops no more than `cjk::reach` short of
/// `max`.
fn cheaper_end(segs: &[Segment], start: usize, end: usize, max: f32) -> usize {
    let last = &segs[end - 1];
    let mut best = (last.penalty, end);
    for k in (start + 1..end).rev() {
        let prev = &segs[k - 1];
        let gone = if last.hyphen > 0.0 {
            prev.hyphen == 0.0
        } else {
            max - line_width(&segs[start..k]) > reach(max, last.penalty)
        };
        if gone {
            break;
        }
        if prev.penalty < best.0 {
            best = (prev.penalty, k);
        }
    }
    best.1
}

/// Line ends chosen over each stretch between hard breaks, with as many lines
/// as the greedy breaks use but the raggedness spread evenly and no stub or
/// lone word on the last line where that can be avoided.
pub(super) fn balanced_breaks(segs: &[Segment], max: f32) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut start = 0;
    while start < segs.len() {
        let end = segs[start..].iter().position(|s| s.hard_break).map_or(segs.len(), |p| start + p + 1);
        let group = &segs[start..end];
        let count = greedy_breaks(group, max).len();
        let chosen = best_breaks(group, max, count).unwrap_or_else(|| greedy_breaks(group, max));
        breaks.extend(chosen.into_iter().map(|b| b + start));
        start = end;
    }
    breaks
}

/// Minimum-raggedness breaks of `segs` into exactly `count` lines, with no
/// more than [`MAX_HYPHENS`] hyphenated lines in a row.
fn best_breaks(segs: &[Segment], max: f32, count: usize) -> Option<Vec<usize>> {
    let n = segs.len();
    if count <= 1 || n > 2000 {
        return None;
    }
    let mut widths = LineWidths::new(segs);
    let mut cost = |i: usize, j: usize| -> f32 {
        let width = widths.of(i, j);
        if width > max + 1e-4 {
            return f32::INFINITY;
        }
        if j == n {
            // The last line may be short, but not a stub or a lone word.
            let stub = (0.55 * max - width).max(0.0);
            let lone = if j - i == 1 { max * max * 0.5 } else { 0.0 };
            stub * stub * 2.0 + lone
        } else {
            (max - width) * (max - width) + hyphen_cost(&segs[j - 1], max)
        }
    };
    // best[l][j][h]: cheapest way to set segs[..j] in l lines, the last `h`
    // of them hyphenated, with where the last line starts and the `h` of the
    // lines before it.
    const RUNS: usize = MAX_HYPHENS + 1;
    let mut best = vec![vec![[(f32::INFINITY, 0usize, 0usize); RUNS]; n + 1]; count + 1];
    best[0][0][0] = (0.0, 0, 0);
    let finite = |cell: &[(f32, usize, usize); RUNS]| cell.iter().any(|c| c.0.is_finite());
    for l in 1..=count {
        // No line can start after the last place `l - 1` lines can reach:
        // the search starts there rather than step over every start
        // beyond it (which a long paragraph has hundreds of).
        let Some(reach) = best[l - 1].iter().rposition(finite) else {
            break;
        };
        for j in 1..=n {
            let hyphenated = segs[j - 1].hyphen > 0.0;
            for i in (l - 1..j.min(reach + 1)).rev() {
                if !finite(&best[l - 1][i]) {
                    continue;
                }
                let c = cost(i, j);
                if !c.is_finite() {
                    break; // wider lines only get wider
                }
                for h in 0..RUNS {
                    let prev = best[l - 1][i][h].0;
                    let run = if hyphenated { h + 1 } else { 0 };
                    if prev.is_finite() && run < RUNS && prev + c < best[l][j][run].0 {
                        best[l][j][run] = (prev + c, i, h);
                    }
                }
            }
        }
    }
    let (mut h, _) = best[count][n].iter().enumerate().min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))?;
    if !best[count][n][h].0.is_finite() {
        return None;
    }
    let mut ends = Vec::with_capacity(count);
    let mut j = n;
    for l in (1..=count).rev() {
        ends.push(j);
        let (_, i, before) = best[l][j][h];
        (j, h) = (i, before);
    }
    ends.reverse();
    Some(ends)
}

/// What ending a line after `seg` adds to its cost: nothing after a whole
/// word; after a syllable, its penalty as the square of that share of a
/// line, like the gap of a line that much short.
fn hyphen_cost(seg: &Segment, max: f32) -> f32 {
    if seg.hyphen > 0.0 {
        (max * seg.penalty) * (max * seg.penalty)
    } else {
        0.0
    }
}

/// `line_width(&segs[i..j])` for the search in `best_breaks`, which asks for
/// the lines from each start with ever later ends: the sum for a start is
/// kept and grown, with the same additions in the same order, so each width
/// costs one addition instead of one per segment and is the same number.
struct LineWidths<'s> {
    segs: &'s [Segment],
    /// Per start `i`: `end` and the sum of `width + space` over `segs[i..end]`.
    sums: Vec<(usize, f32)>,
}

impl<'s> LineWidths<'s> {
    fn new(segs: &'s [Segment]) -> Self {
        LineWidths { segs, sums: (0..segs.len()).map(|i| (i, 0.0)).collect() }
    }

    /// The width of the line `segs[i..j]` (`i < j`), as `line_width` has it.
    fn of(&mut self, i: usize, j: usize) -> f32 {
        let (end, sum) = &mut self.sums[i];
        if *end > j - 1 {
            // An earlier end than last time: start this sum again.
            (*end, *sum) = (i, 0.0);
        }
        for seg in &self.segs[*end..j - 1] {
            *sum += seg.width + seg.space;
        }
        *end = j - 1;
        let last = &self.segs[j - 1];
        *sum + last.width + last.hyphen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(width: f32) -> Segment {
        Segment { range: 0..0, width, space: 0.25, hard_break: false, splits: Vec::new(), hyphen: 0.0, penalty: 0.0 }
    }

    #[test]
    fn greedy_fills_lines() {
        let segs: Vec<_> = [2.0, 2.0, 2.0, 2.0].into_iter().map(seg).collect();
        assert_eq!(greedy_breaks(&segs, 4.5), vec![2, 4]);
    }

    #[test]
    fn balanced_avoids_a_lone_last_word() {
        // Greedy: [3 words][1 word]; balanced: [2][2].
        let segs: Vec<_> = [1.0, 1.0, 1.0, 1.0].into_iter().map(seg).collect();
        assert_eq!(greedy_breaks(&segs, 3.6), vec![3, 4]);
        assert_eq!(balanced_breaks(&segs, 3.6), vec![2, 4]);
    }

    #[test]
    fn hard_breaks_are_kept() {
        let mut segs: Vec<_> = [1.0, 1.0, 1.0].into_iter().map(seg).collect();
        segs[0].hard_break = true;
        assert_eq!(greedy_breaks(&segs, 10.0), vec![1, 3]);
        assert_eq!(balanced_breaks(&segs, 10.0), vec![1, 3]);
    }
}

#[cfg(test)]
mod split_tests {
    use super::*;

    #[test]
    fn a_wide_word_splits_after_a_slash_first() {
        // "example.org/very/long" with soft splits after '.', '/', '/' and hard ones elsewhere.
        let seg = Segment {
            range: 0..21,
            width: 10.0,
            space: 0.0,
            hard_break: false,
            hyphen: 0.0,
            penalty: 0.0,
            splits: vec![
                Split { at: 3, width: 1.5, soft: false },
                Split { at: 8, width: 4.0, soft: true },
                Split { at: 12, width: 6.0, soft: true },
                Split { at: 14, width: 7.0, soft: false },
                Split { at: 17, width: 8.5, soft: true },
            ],
        };
        let parts = split_wide(&[seg], 6.5, |_| (Vec::new(), 0.0)).into_owned();
        let ranges: Vec<_> = parts.iter().map(|s| s.range.clone()).collect();
        assert_eq!(ranges, vec![0..12, 12..21]);
        assert!(parts.iter().all(|p| p.width <= 6.5));
    }

    #[test]
    fn without_soft_points_it_splits_between_characters() {
        let splits = (1..10).map(|i| Split { at: i, width: i as f32, soft: false }).collect();
        let seg =
            Segment { range: 0..10, width: 10.0, space: 0.3, hard_break: false, splits, hyphen: 0.0, penalty: 0.0 };
        let parts = split_wide(&[seg], 4.0, |_| (Vec::new(), 0.0)).into_owned();
        assert_eq!(parts.iter().map(|s| s.range.clone()).collect::<Vec<_>>(), vec![0..4, 4..8, 8..10]);
        assert_eq!(parts.last().unwrap().space, 0.3);
    }

    #[test]
    fn a_word_of_a_million_characters_splits_in_one_pass() {
        // Splitting looked at every split point for each line: a 1.5 MB word
        // took minutes. Now each point is looked at a few times at most.
        let n = 1_000_000;
        let splits = (1..n).map(|i| Split { at: i, width: i as f32 * 0.5, soft: i % 7 == 0 }).collect();
        let seg = Segment {
            range: 0..n,
            width: n as f32 * 0.5,
            space: 0.0,
            hard_break: false,
            splits,
            hyphen: 0.0,
            penalty: 0.0,
        };
        let start = std::time::Instant::now();
        let parts = split_wide(&[seg], 20.0, |_| (Vec::new(), 0.0)).into_owned();
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
        assert_eq!(parts.first().unwrap().range, 0..35);
        assert!(parts.iter().all(|p| p.width <= 20.0 + 1e-3));
        assert_eq!(parts.last().unwrap().range.end, n);
        assert!(parts.windows(2).all(|w| w[0].range.end == w[1].range.start));
    }
}
