//! `pixcodec`: inspect, convert and check images without silent data changes.
//!
//! Exit status: 0 success; 1 an error (unreadable input, bad option, I/O); 2 a usage
//! error; 3 the pixels cannot be stored exactly as asked (nothing was written).

mod check;
mod codecs;
mod conversions;
mod convert;
mod dataset;
mod info;
mod load;
mod meta;
mod sbits;
mod shrink;
mod text;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status when data would change (refused, nothing written).
pub const EXIT_NOT_EXACT: u8 = 3;

#[derive(Parser)]
#[command(
    name = "pixcodec",
    version,
    about = "Exact image codecs: inspect, convert and check images"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show format, codec, size, pixel format, pages and metadata of files.
    Info(info::Args),
    /// Convert images; refuses (exit 3) when the output cannot hold the pixels exactly.
    Convert(convert::Args),
    /// List the registered codecs with their options and capability tables.
    Codecs(codecs::Args),
    /// Would FILE's pixels survive FORMAT exactly? Answers yes (exit 0) or no (exit 3) and why.
    Check(check::Args),
    /// Keras-style load_img + img_to_array: decode, convert, resize, write an array (.npy) or image.
    Load(load::Args),
    /// Write a file's ICC profile, EXIF block or XMP packet to files (or list what it has).
    Meta(meta::Args),
    /// Keras-style image_dataset_from_directory: batches (N,H,W,C) and labels as .npy, with speed.
    Dataset(dataset::Args),
}

/// A failure with the exit status it maps to.
pub struct Failure {
    /// Exit status.
    pub code: u8,
    /// Message for stderr.
    pub message: String,
}

impl From<pixcodec::Error> for Failure {
    fn from(e: pixcodec::Error) -> Self {
        let code = if e.kind() == pixcodec::ErrorKind::NotExact {
            EXIT_NOT_EXACT
        } else {
            1
        };
        // The library's advice names Rust functions; here they are flags.
        Failure {
            code,
            message: e.message_for(pixcodec::convert::Surface::Cli),
        }
    }
}

impl Failure {
    /// A usage error (exit 2): a flag's value is wrong.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// A plain error (exit 1).
    pub fn msg(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// Lets a closed output pipe (`pixcodec info f.png | head -1`) end the program quietly, as
/// other Unix tools end, instead of `println!` panicking on the broken pipe: Rust programs
/// start with SIGPIPE ignored, so the default action is restored first.
#[cfg(unix)]
fn quiet_on_closed_pipe() {
    // SAFETY: runs first in `main`, before any other thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    #[cfg(unix)]
    quiet_on_closed_pipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info(a) => info::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Codecs(a) => codecs::run(a),
        Command::Check(a) => check::run(a),
        Command::Load(a) => load::run(a),
        Command::Dataset(a) => dataset::run(a),
        Command::Meta(a) => meta::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("{}", text::wrap(&format!("pixcodec: {}", f.message), "  "));
            }
            ExitCode::from(f.code)
        }
    }
}
