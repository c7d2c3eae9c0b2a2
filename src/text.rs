//! Small text helpers every output shares: aligned columns measured in
//! terminal cells (so `bücher` or `公司` do not push a column out of line),
//! counted nouns and counted days.

use unicode_width::UnicodeWidthStr;

/// Rows as aligned columns, two spaces apart, each line without trailing
/// blanks. The first row is usually the heading.
pub fn aligned(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.width())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(&widths) {
            line.push_str(cell);
            line.push_str(&" ".repeat(width.saturating_sub(cell.width()) + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
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
    fn nouns_are_counted() {
        assert_eq!(plural(1, "flow", "flows"), "1 flow");
        assert_eq!(plural(0, "flow", "flows"), "0 flows");
        assert_eq!(plural(2, "flow", "flows"), "2 flows");
    }
}
