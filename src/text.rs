//! Small text helpers every output shares: aligned columns measured in
//! terminal cells (so `bücher` or `公司` do not push a column out of line),
//! counted nouns and counted days.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Rows as aligned columns, two spaces apart, each line without trailing
/// blanks. The first row is usually the heading.
pub fn aligned(rows: &[Vec<String>]) -> String {
    painted(rows, &|_, _, cell| cell.to_string())
}

/// [`aligned`], with each cell's text passed through `paint(row, column,
/// text)` after its width was measured: colour codes take no room.
pub fn painted(rows: &[Vec<String>], paint: &dyn Fn(usize, usize, &str) -> String) -> String {
    let widths = widths(rows);
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if !cell.is_empty() {
                line.push_str(&paint(r, c, cell));
            }
            line.push_str(&" ".repeat(width.saturating_sub(cell.width()) + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// How wide [`aligned`] lays `rows` out: every column's widest cell and the
/// gaps between them, in terminal cells.
pub fn table_width(rows: &[Vec<String>]) -> usize {
    let widths = widths(rows);
    widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1)
}

/// Each column's width: its widest cell, in terminal cells.
fn widths(rows: &[Vec<String>]) -> Vec<usize> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.width())
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// How a column gives way when a table is wider than the terminal: columns
/// of a lower `rank` are shortened first (down to `min` cells, the ellipsis
/// included), and within a rank the widest first.
#[derive(Debug, Clone, Copy)]
pub struct Give {
    pub rank: u8,
    pub min: usize,
    /// Cut the start rather than the end: a path keeps its file name.
    pub keep_end: bool,
}

/// The rows with cells shortened by an ellipsis (`…`) until every line fits
/// in `width` cells with [`aligned`]'s two-space gaps, never below a
/// column's `min`; `give[c]` is `None` for a column that is never cut (a
/// number, a status). No width: the rows as they are.
pub fn fitted(
    rows: &[Vec<String>],
    give: &[Option<Give>],
    width: Option<usize>,
) -> Vec<Vec<String>> {
    let Some(width) = width else {
        return rows.to_vec();
    };
    let mut widths = widths(rows);
    let total =
        |widths: &[usize]| widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    debug_assert_eq!(total(&widths), table_width(rows));
    let mut ranks: Vec<u8> = give.iter().flatten().map(|g| g.rank).collect();
    ranks.sort_unstable();
    ranks.dedup();
    for rank in ranks {
        while total(&widths) > width {
            // The widest column of this rank still above its minimum.
            let widest = (0..widths.len())
                .filter(|&c| {
                    give.get(c)
                        .copied()
                        .flatten()
                        .is_some_and(|g| g.rank == rank && widths[c] > g.min)
                })
                .max_by_key(|&c| (widths[c], std::cmp::Reverse(c)));
            let Some(c) = widest else { break };
            widths[c] -= 1;
        }
    }
    rows.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(c, cell)| match give.get(c).copied().flatten() {
                    Some(g) => cut(cell, widths[c], g.keep_end),
                    None => cell.clone(),
                })
                .collect()
        })
        .collect()
}

/// [`fitted`] for a table that may also leave columns out: the first that
/// fits of every column at `give(column, true)`'s roomy minimums, then
/// without each column of `left_out` in turn, then at `give(column, false)`'s
/// tight ones. Returns the columns kept (indexes into `rows`) and the rows.
pub fn fit_table(
    rows: &[Vec<String>],
    give: &dyn Fn(usize, bool) -> Option<Give>,
    left_out: &[usize],
    width: Option<usize>,
) -> (Vec<usize>, Vec<Vec<String>>) {
    let columns = rows.first().map_or(0, Vec::len);
    let tries = (0..=left_out.len())
        .map(|n| (n, true))
        .chain([(left_out.len(), false)]);
    let mut best = ((0..columns).collect(), rows.to_vec());
    for (n, roomy) in tries {
        let shown: Vec<usize> = (0..columns)
            .filter(|c| !left_out[..n].contains(c))
            .collect();
        let kept: Vec<Vec<String>> = rows
            .iter()
            .map(|row| shown.iter().filter_map(|&c| row.get(c).cloned()).collect())
            .collect();
        let gives: Vec<Option<Give>> = shown.iter().map(|&c| give(c, roomy)).collect();
        let cut = fitted(&kept, &gives, width);
        let fits = width.is_none_or(|width| table_width(&cut) <= width);
        best = (shown, cut);
        if fits {
            break;
        }
    }
    best
}

/// `text` in at most `width` terminal cells: whole when it fits, else its
/// start (or end) and an ellipsis.
fn cut(text: &str, width: usize, keep_end: bool) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let room = width.saturating_sub(1);
    let mut kept = 0;
    let take = |c: &char| {
        kept += c.width().unwrap_or(0);
        kept <= room
    };
    if keep_end {
        let mut end: Vec<char> = text.chars().rev().take_while(take).collect();
        end.reverse();
        format!("…{}", end.into_iter().collect::<String>())
    } else {
        format!("{}…", text.chars().take_while(take).collect::<String>())
    }
}

/// A Unicode noncharacter (U+FFFE, U+FFFF, U+FDD0-U+FDEF and the last two
/// of every plane): never text, and YAML and XML parsers refuse a file that
/// holds one.
pub fn is_noncharacter(c: char) -> bool {
    matches!(c, '\u{fdd0}'..='\u{fdef}') || u32::from(c) & 0xfffe == 0xfffe
}

/// `1 flow`, `2 flows`.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A date's distance from today as people say it: `today`, `in 1 day`,
/// `3 days ago`.
pub fn days_away(days: i64) -> String {
    let count = plural(
        usize::try_from(days.unsigned_abs()).unwrap_or(usize::MAX),
        "day",
        "days",
    );
    match days {
        0 => "today".to_string(),
        d if d > 0 => format!("in {count}"),
        _ => format!("{count} ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_away_reads_as_said() {
        let said: Vec<String> = [-25, -1, 0, 1, 7].into_iter().map(days_away).collect();
        assert_eq!(
            said,
            ["25 days ago", "1 day ago", "today", "in 1 day", "in 7 days"]
        );
    }

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn columns_line_up_in_terminal_cells() {
        let table = aligned(&[
            row(&["NAME", "PORT"]),
            row(&["公司.cn", "443"]),
            row(&["bücher.example", "80"]),
        ]);
        assert_eq!(
            table,
            "NAME            PORT\n公司.cn         443\nbücher.example  80\n"
        );
    }

    #[test]
    fn columns_give_way_by_rank_then_widest_first() {
        let rows = [
            row(&["PATH", "TITLE", "WHEN", "N"]),
            row(&[
                "requests/plant/ntp.toml",
                "Plant NTP and syslog",
                "2026-11-20 09:15:00",
                "12",
            ]),
            row(&["公司.toml", "公司", "-", "3"]),
        ];
        let give = [
            Some(Give {
                rank: 1,
                min: 8,
                keep_end: true,
            }),
            Some(Give {
                rank: 1,
                min: 8,
                keep_end: false,
            }),
            Some(Give {
                rank: 0,
                min: 11,
                keep_end: false,
            }),
            None,
        ];
        // Natural: 23 + 20 + 19 + 2 and three gaps = 70 cells.
        assert_eq!(fitted(&rows, &give, Some(70)), rows);
        assert_eq!(fitted(&rows, &give, None), rows);
        // WHEN (rank 0) goes down to 11 first, then the widest of the rest.
        let table = aligned(&fitted(&rows, &give, Some(50)));
        assert_eq!(
            table,
            "PATH             TITLE             WHEN         N\n\
             …plant/ntp.toml  Plant NTP and s…  2026-11-20…  12\n\
             公司.toml        公司              -            3\n"
        );
        assert!(table.lines().all(|l| l.width() <= 50), "{table}");
        // Never below a column's minimum, even when the table cannot fit.
        let narrowest = fitted(&rows, &give, Some(10));
        assert_eq!(
            narrowest[1],
            row(&["…tp.toml", "Plant N…", "2026-11-20…", "12"])
        );
        // A wide character is never cut in half.
        assert_eq!(cut("公司公司", 4, false), "公…");
        assert_eq!(cut("公司公司", 4, true), "…司");
    }

    #[test]
    fn painting_takes_no_room() {
        let rows = [row(&["A", "B"]), row(&["open", "x"]), row(&["refused", ""])];
        let red = |r: usize, c: usize, cell: &str| {
            if r > 0 && c == 0 {
                format!("<{cell}>")
            } else {
                cell.to_string()
            }
        };
        assert_eq!(
            painted(&rows, &red),
            "A        B\n<open>     x\n<refused>\n"
        );
    }

    #[test]
    fn nouns_are_counted() {
        assert_eq!(plural(1, "flow", "flows"), "1 flow");
        assert_eq!(plural(0, "flow", "flows"), "0 flows");
        assert_eq!(plural(2, "flow", "flows"), "2 flows");
    }
}
