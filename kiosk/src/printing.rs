//! Printing one participant card: an A4 sheet with the one card and its cut marks
//! (`hakaru-card-sheet`), sent as `[printer]` says — a PDF to a CUPS printer with `lp` (the PDF
//! goes through `lp`'s standard input, so no file holding the token is left on disk), a PDF
//! written into a folder (demo and tests), or the SVG page for the staff window's system print
//! dialog.
//!
//! Deliberately not here: which cards may be printed and recording that one was (the staff
//! console and the store), and the card's contents (the server issued the token). The token is
//! never logged.

use crate::config::{PrintMode, PrinterSection};
use crate::staff_view::PrintOutcome;
use hakaru_card_sheet::{render_pdf, render_svg, SheetCard, SheetOptions};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The print job's title as CUPS shows it.
const JOB_TITLE: &str = "参加者カード";

/// One card to print (`Debug` hides the token and the number).
#[derive(Clone)]
pub(crate) struct CardToPrint {
    /// `holder-serial`.
    pub(crate) card_id: String,
    /// The QR code's token.
    pub(crate) token: String,
    /// The participant number printed beside the code.
    pub(crate) participant: String,
}

impl std::fmt::Debug for CardToPrint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CardToPrint")
            .field("card_id", &self.card_id)
            .finish_non_exhaustive()
    }
}

/// Why a card could not be printed; `Display` is Japanese, then English, and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The sheet could not be rendered (usually the font).
    #[error(
        "カードを作れません（{0}）。[printer] の font_path のフォント（apt install fonts-ipaexfont-gothic）を確認するか、技術者に連絡してください / \
         cannot make the card ({0}): check the font at [printer] font_path (apt install fonts-ipaexfont-gothic) or call a technician"
    )]
    Render(#[from] hakaru_card_sheet::SheetError),
    /// `lp` could not be started.
    #[error(
        "印刷コマンド lp を実行できません（{0}）。CUPS（apt install cups-client）を確認するか、技術者に連絡してください / \
         cannot run the print command lp ({0}): check CUPS (apt install cups-client) or call a technician"
    )]
    LpMissing(std::io::Error),
    /// `lp` refused the job (no such printer, printer disabled, …).
    #[error(
        "プリンター {printer} に送れませんでした（{detail}）。プリンターの電源と用紙を確認し、もう一度印刷してください。続く場合は技術者に連絡してください / \
         could not send the card to printer {printer} ({detail}): check the printer's power and paper and print again; if it keeps failing, call a technician"
    )]
    LpFailed {
        /// The CUPS name.
        printer: String,
        /// What `lp` said (never contains the token: it only came through stdin).
        detail: String,
    },
    /// The folder could not be written.
    #[error(
        "フォルダ {path} に書き込めません（{source}）。[printer] の folder と書き込み権限を確認してください / \
         cannot write into the folder {path} ({source}): check [printer] folder and its write permission"
    )]
    Folder {
        /// The file that could not be written.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The card id has characters a file name must not have (never from a genuine card).
    #[error("カード番号が正しくありません / the card id is not valid")]
    BadCardId,
}

/// Prints as `[printer]` says.
#[derive(Debug, Clone)]
pub(crate) struct Printer {
    config: PrinterSection,
    lp: PathBuf,
}

impl Printer {
    pub(crate) fn new(config: PrinterSection) -> Printer {
        Printer {
            config,
            lp: PathBuf::from("lp"),
        }
    }

    /// The same, with another `lp` program (tests).
    #[cfg(test)]
    fn with_lp(config: PrinterSection, lp: PathBuf) -> Printer {
        Printer { config, lp }
    }

    fn sheet(&self, card: &CardToPrint) -> (Vec<SheetCard>, SheetOptions) {
        let cards = vec![SheetCard {
            token: card.token.clone(),
            participant: card.participant.clone(),
            program_name: self.config.program_name.clone(),
        }];
        let options = SheetOptions {
            font_path: self.config.font_path.clone(),
            ..SheetOptions::default()
        };
        (cards, options)
    }

    /// Prints `card` (blocking: renders, writes, runs `lp`; call from a blocking thread).
    pub(crate) fn print(&self, card: &CardToPrint) -> Result<PrintOutcome, PrintError> {
        if card.card_id.is_empty()
            || !card
                .card_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(PrintError::BadCardId);
        }
        let (cards, options) = self.sheet(card);
        if self.config.mode == PrintMode::Dialog {
            let svg = render_svg(&cards, &options)?
                .into_iter()
                .next()
                .unwrap_or_default();
            return Ok(PrintOutcome::Dialog { svg });
        }
        let pdf = render_pdf(&cards, &options)?;
        if let Some(folder) = &self.config.folder {
            let path = folder.join(format!("card-{}.pdf", card.card_id));
            std::fs::create_dir_all(folder)
                .and_then(|()| std::fs::write(&path, &pdf))
                .map_err(|source| PrintError::Folder {
                    path: path.clone(),
                    source,
                })?;
            tracing::info!(card = %card.card_id, path = %path.display(), "card written");
            return Ok(PrintOutcome::Sent {
                destination: path.display().to_string(),
            });
        }
        let printer = self.config.printer.clone().unwrap_or_default();
        self.lp(&printer, &pdf)?;
        tracing::info!(card = %card.card_id, printer, "card sent to the printer");
        Ok(PrintOutcome::Sent {
            destination: printer,
        })
    }

    /// `lp -d PRINTER -t 参加者カード` with the PDF on standard input.
    fn lp(&self, printer: &str, pdf: &[u8]) -> Result<(), PrintError> {
        let mut child = Command::new(&self.lp)
            .args(["-d", printer, "-t", JOB_TITLE])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(PrintError::LpMissing)?;
        let written = child
            .stdin
            .take()
            .map(|mut stdin| stdin.write_all(pdf))
            .transpose();
        let output = child.wait_with_output().map_err(PrintError::LpMissing)?;
        if !output.status.success() || written.is_err() {
            let said = String::from_utf8_lossy(&output.stderr);
            let detail = match said.trim() {
                "" => format!("lp: {}", output.status),
                text => text.chars().take(200).collect(),
            };
            tracing::warn!(printer, detail, "lp refused the card");
            return Err(PrintError::LpFailed {
                printer: printer.to_owned(),
                detail,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn card() -> CardToPrint {
        CardToPrint {
            card_id: "41-1".to_owned(),
            token: "K1AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            participant: "P-000001".to_owned(),
        }
    }

    fn pdf_config(printer: Option<&str>, folder: Option<PathBuf>) -> PrinterSection {
        PrinterSection {
            mode: PrintMode::Pdf,
            printer: printer.map(str::to_owned),
            folder,
            ..PrinterSection::default()
        }
    }

    /// A stand-in `lp` that keeps its arguments and standard input, and fails for printer `bad`.
    fn fake_lp(dir: &std::path::Path) -> PathBuf {
        let lp = dir.join("lp");
        std::fs::write(
            &lp,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$@\" > {d}/args\ncat > {d}/stdin\n\
                 if [ \"$2\" = bad ]; then echo 'lp: The printer or class does not exist.' >&2; exit 1; fi\n",
                d = dir.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).unwrap();
        lp
    }

    #[test]
    fn dialog_mode_gives_the_svg_page_with_the_card() {
        let printer = Printer::new(PrinterSection::default());
        let PrintOutcome::Dialog { svg } = printer.print(&card()).unwrap() else {
            panic!("dialog mode")
        };
        assert!(
            svg.starts_with("<svg") || svg.starts_with("<?xml"),
            "{}",
            &svg[..40]
        );
        assert!(svg.contains("P-000001"));
    }

    #[test]
    fn folder_mode_writes_card_holder_serial_pdf() {
        let dir = tempfile::tempdir().unwrap();
        let printer = Printer::new(pdf_config(None, Some(dir.path().join("out"))));
        let PrintOutcome::Sent { destination } = printer.print(&card()).unwrap() else {
            panic!("sent")
        };
        let path = dir.path().join("out/card-41-1.pdf");
        assert_eq!(destination, path.display().to_string());
        assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF"));
    }

    #[test]
    fn lp_gets_the_printer_the_title_and_the_pdf_on_stdin() {
        let dir = tempfile::tempdir().unwrap();
        let lp = fake_lp(dir.path());
        let printer = Printer::with_lp(pdf_config(Some("office"), None), lp.clone());
        let outcome = printer.print(&card()).unwrap();
        assert_eq!(
            outcome,
            PrintOutcome::Sent {
                destination: "office".to_owned()
            }
        );
        let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
        assert_eq!(args, "-d\noffice\n-t\n参加者カード\n");
        assert!(std::fs::read(dir.path().join("stdin"))
            .unwrap()
            .starts_with(b"%PDF"));

        let printer = Printer::with_lp(pdf_config(Some("bad"), None), lp);
        let e = printer.print(&card()).unwrap_err().to_string();
        assert!(e.contains("プリンター bad に送れませんでした"), "{e}");
        assert!(e.contains("does not exist"), "{e}");
        assert!(!e.contains("K1AAAA"), "{e}");
    }

    #[test]
    fn a_missing_lp_and_a_strange_card_id_are_worded() {
        let printer = Printer::with_lp(
            pdf_config(Some("office"), None),
            PathBuf::from("/nonexistent/lp"),
        );
        let e = printer.print(&card()).unwrap_err();
        assert!(matches!(e, PrintError::LpMissing(_)), "{e}");
        assert!(e.to_string().contains("cups-client"));
        let mut bad = card();
        bad.card_id = "../x".to_owned();
        assert!(matches!(
            Printer::new(PrinterSection::default()).print(&bad),
            Err(PrintError::BadCardId)
        ));
    }
}
