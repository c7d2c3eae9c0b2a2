//! `--copy`: puts text on the clipboard through the terminal's OSC 52 escape,
//! which works over SSH and needs no display server (kitty, alacritty, iTerm2,
//! Windows Terminal, WezTerm; tmux with `set-clipboard on`). The escape goes to
//! the controlling terminal, so stdout can still be piped.

use anyhow::Context as _;
use base64::Engine as _;
use std::io::Write as _;

/// The escape sequence that asks the terminal to set its clipboard to `text`.
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(text);
    let osc = format!("\x1b]52;c;{data}\x07");
    if in_tmux {
        // tmux passes an escape through when it is wrapped and its ESCs doubled.
        format!("\x1bPtmux;{}\x1b\\", osc.replace('\x1b', "\x1b\x1b"))
    } else {
        osc
    }
}

/// Writes the escape to this process's terminal (`/dev/tty`).
pub fn copy(text: &str) -> anyhow::Result<()> {
    let mut tty = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .context("--copy needs a terminal to send the text through (OSC 52), and this process has none; write to a file with -o instead")?;
    let in_tmux = std::env::var_os("TMUX").is_some();
    tty.write_all(osc52(text, in_tmux).as_bytes())
        .and_then(|()| tty.flush())
        .context("cannot write to the terminal")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escape_carries_the_text_in_base64() {
        assert_eq!(osc52("hi", false), "\x1b]52;c;aGk=\x07");
        assert_eq!(osc52("hi", true), "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\");
    }
}
