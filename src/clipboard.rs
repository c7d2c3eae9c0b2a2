//! `--copy`: puts text on the clipboard through the terminal's OSC 52 escape,
//! which works over SSH and needs no display server (kitty, alacritty, iTerm2,
//! Windows Terminal, WezTerm; tmux with `set-clipboard on`; GNU screen). The escape goes to
//! the controlling terminal, so stdout can still be piped.

use base64::Engine as _;
use std::io::Write as _;

/// What stands between fwreq and the terminal that owns the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplexer {
    /// None, or tmux: tmux reads a plain OSC 52 from its pane itself (with
    /// `set-clipboard on`, its default `external` forwards it too) and drops
    /// its passthrough envelope unless `allow-passthrough` is on.
    None,
    /// GNU screen, which forwards only what comes in its DCS envelope.
    Screen,
}

impl Multiplexer {
    /// From the environment: tmux sets `TMUX`, screen sets `STY`. Inside
    /// tmux, tmux is the one that reads the escape, whatever runs it.
    pub fn here() -> Self {
        if std::env::var_os("TMUX").is_none() && std::env::var_os("STY").is_some() {
            Multiplexer::Screen
        } else {
            Multiplexer::None
        }
    }
}

/// The escape sequence that asks the terminal to set its clipboard to `text`.
pub fn osc52(text: &str, through: Multiplexer) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(text);
    let osc = format!("\x1b]52;c;{data}\x07");
    match through {
        Multiplexer::None => osc,
        // screen cuts a DCS string at 768 bytes: one envelope per 76 bytes.
        Multiplexer::Screen => osc
            .as_bytes()
            .chunks(76)
            .map(|chunk| format!("\x1bP{}\x1b\\", String::from_utf8_lossy(chunk)))
            .collect(),
    }
}

/// Why the text did not reach the terminal (the command says what to do
/// instead, with its own flags).
#[derive(Debug)]
pub enum Unsent {
    /// This process has no terminal (`/dev/tty`) to send the escape through.
    NoTerminal(std::io::Error),
    /// The terminal did not take the escape.
    Write(std::io::Error),
}

/// Writes the escape to this process's terminal (`/dev/tty`).
pub fn copy(text: &str) -> Result<(), Unsent> {
    let mut tty = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .map_err(Unsent::NoTerminal)?;
    tty.write_all(osc52(text, Multiplexer::here()).as_bytes())
        .and_then(|()| tty.flush())
        .map_err(Unsent::Write)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escape_carries_the_text_in_base64() {
        assert_eq!(osc52("hi", Multiplexer::None), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            osc52("hi", Multiplexer::Screen),
            "\x1bP\x1b]52;c;aGk=\x07\x1b\\"
        );
        // Longer texts: one envelope per 76 bytes, nothing lost between them.
        let long = osc52(&"x".repeat(200), Multiplexer::Screen);
        assert_eq!(long.matches("\x1bP").count(), 4);
        assert_eq!(
            long.replace("\x1bP", "").replace("\x1b\\", ""),
            osc52(&"x".repeat(200), Multiplexer::None)
        );
    }
}
