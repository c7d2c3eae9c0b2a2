//! Ports: integers 1-65535, or `"LOW-HIGH"` ranges written as strings.

use super::Invalid;
use crate::request::PortRange;
use crate::spec::RawPort;
use std::ops::Range;

pub fn port(raw: &RawPort, span: Range<usize>) -> Result<PortRange, Invalid> {
    let (low, high) = match raw {
        RawPort::Number(n) => {
            let p = number(*n)?;
            (p, p)
        }
        RawPort::Text(text) => range(text)?,
    };
    Ok(PortRange { low, high, span })
}

fn number(n: i64) -> Result<u16, Invalid> {
    match u16::try_from(n) {
        Ok(0) => Err(Invalid::new("port 0 is not a real port").help("ports are 1-65535")),
        Ok(p) => Ok(p),
        Err(_) => Err(Invalid::new(format!("port {n} is out of range")).help("ports are 1-65535")),
    }
}

fn range(text: &str) -> Result<(u16, u16), Invalid> {
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.chars().all(|c| c.is_ascii_digit());
    let Some((low, high)) = text.split_once('-') else {
        if digits(text) {
            return Err(
                Invalid::new(format!("port \"{text}\" is written as a string"))
                    .help(format!("write it as a number: {text}")),
            );
        }
        return Err(
            Invalid::new(format!("`{text}` is not a port or port range"))
                .help("write a port as a number (443) or a range as a string (\"8000-8100\")"),
        );
    };
    if !digits(low) || !digits(high) {
        return Err(Invalid::new(format!("`{text}` is not a port range"))
            .help("write a range as \"LOW-HIGH\", e.g. \"8000-8100\""));
    }
    let padded = |s: &str| s.len() > 1 && s.starts_with('0');
    if padded(low) || padded(high) {
        let trim = |s: &str| s.trim_start_matches('0').to_string();
        return Err(
            Invalid::new(format!("port range \"{text}\" has leading zeros")).help(format!(
                "write \"{}-{}\"",
                trim(low),
                trim(high)
            )),
        );
    }
    // At most six digits each, so these parse.
    let low = number(low.parse().unwrap_or(i64::MAX))?;
    let high = number(high.parse().unwrap_or(i64::MAX))?;
    match low.cmp(&high) {
        std::cmp::Ordering::Less => Ok((low, high)),
        std::cmp::Ordering::Equal => Err(Invalid::new(format!(
            "range \"{text}\" holds a single port"
        ))
        .help(format!("write it as a number: {low}"))),
        std::cmp::Ordering::Greater => {
            Err(Invalid::new(format!("range \"{text}\" runs backwards"))
                .help(format!("write \"{high}-{low}\"")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: RawPort) -> (u16, u16) {
        let p = port(&raw, 0..0).unwrap();
        (p.low, p.high)
    }

    fn err(raw: RawPort) -> String {
        port(&raw, 0..0).unwrap_err().message
    }

    #[test]
    fn accepts_ports_and_ranges() {
        assert_eq!(ok(RawPort::Number(1)), (1, 1));
        assert_eq!(ok(RawPort::Number(65535)), (65535, 65535));
        assert_eq!(ok(RawPort::Text("8000-8100".into())), (8000, 8100));
    }

    #[test]
    fn refuses_bad_ports_and_ranges() {
        let cases = [
            (RawPort::Number(0), "port 0"),
            (RawPort::Number(65536), "port 65536 is out of range"),
            (RawPort::Number(-1), "port -1 is out of range"),
            (RawPort::Text("443".into()), "written as a string"),
            (RawPort::Text("https".into()), "not a port or port range"),
            (RawPort::Text("80-".into()), "not a port range"),
            (RawPort::Text("80 - 90".into()), "not a port range"),
            (RawPort::Text("9000-8000".into()), "runs backwards"),
            (RawPort::Text("80-80".into()), "single port"),
            (
                RawPort::Text("1-70000".into()),
                "port 70000 is out of range",
            ),
            (RawPort::Text("0-10".into()), "port 0"),
            (
                RawPort::Text("000443-000444".into()),
                "port range \"000443-000444\" has leading zeros",
            ),
            (RawPort::Text("80-0443".into()), "leading zeros"),
        ];
        for (raw, want) in cases {
            let got = err(raw.clone());
            assert!(got.contains(want), "{raw:?}: {got}");
        }
    }
}
