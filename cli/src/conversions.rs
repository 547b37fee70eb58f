//! The explicit conversions of `convert` and `check` (`--orient`, `--invert`, `--to`, `--drop-alpha`,
//! `--add-alpha`, `--swap-rb`, `--cast`, `--narrow`, `--scale`): each maps to one `pixcodec::convert`
//! function and is reported, so a converted output is never mistaken for an exact one.

use pixcodec::convert::{self, Alpha, Scale};
use pixcodec::metadata::exif::effective_orientation;
use pixcodec::metadata::Photometric;
use pixcodec::{Image, Layout, Metadata, SampleType};

use crate::Failure;

/// Conversion flags, applied to every page in the order: `--orient`, `--invert`, `--swap-rb`, the layout
/// (`--to`/`--drop-alpha`/`--add-alpha`), then the sample type (`--narrow`, `--cast` or
/// `--scale`).
#[derive(clap::Args, Debug, Default, Clone)]
#[command(next_help_heading = "Explicit conversions (each is listed in the summary line)")]
pub struct Conversions {
    /// Turn pixels upright by the EXIF orientation (exact rotate/flip; the first page's, on
    /// every page); writes orientation 1.
    #[arg(long)]
    orient: bool,
    /// Same picture, other photometric convention: samples max - v (alpha kept); WhiteIsZero
    /// or Adobe CMYK <-> plain.
    #[arg(long)]
    invert: bool,
    /// Channel layout: gray (BT.601 luma, lossy), gray-alpha, rgb (gray replicated), rgba
    /// (alpha added opaque); alpha is dropped when the target has none.
    #[arg(long, value_name = "gray|gray-alpha|rgb|rgba")]
    to: Option<String>,
    /// Remove the alpha channel (Rgba -> Rgb, GrayAlpha -> Gray); not composited.
    #[arg(long, conflicts_with = "to")]
    drop_alpha: bool,
    /// Add an opaque alpha channel (Rgb -> Rgba, Gray -> GrayAlpha).
    #[arg(long, conflicts_with_all = ["to", "drop_alpha"])]
    add_alpha: bool,
    /// Swap the R and B channels (BGR data stored as RGB).
    #[arg(long)]
    swap_rb: bool,
    /// Change the sample type keeping every value (fails naming the first value that does not
    /// fit); with --scale, the type to rescale into.
    #[arg(long, value_name = "TYPE")]
    cast: Option<String>,
    /// Data-aware narrowing: the smallest type of the same kind that holds every value.
    #[arg(long, conflicts_with_all = ["cast", "scale"])]
    narrow: bool,
    /// Rescale values on purpose: minmax, or LO:HI (input range onto the type's range) with
    /// ",clip" to clamp values outside it; into the --cast type (default: the input's type).
    #[arg(long, value_name = "minmax|LO:HI[,clip]")]
    scale: Option<String>,
}

/// The conversions applied to every page of a file.
#[derive(Debug, Default)]
pub struct Applied {
    /// The converted pages; empty when no conversion flag was given (use the input's).
    pub pages: Vec<Image>,
    /// What was done, once per distinct step, for the summary line (empty: nothing changed).
    pub steps: Vec<String>,
    /// Flags that changed nothing, with why (`--narrow` on data no smaller type holds).
    pub notes: Vec<String>,
}

fn push_new(list: &mut Vec<String>, items: Vec<String>) {
    for item in items {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

/// One applied conversion, for the summary line.
fn step(name: &str, from: impl std::fmt::Display, to: impl std::fmt::Display) -> String {
    format!("{name} {from}->{to}")
}

fn parse_scale(s: &str) -> Result<Scale, Failure> {
    let bad = || {
        Failure::usage(format!(
            "--scale '{s}': expected minmax or LO:HI (numbers, LO < HI), optionally followed by ,clip"
        ))
    };
    if s.eq_ignore_ascii_case("minmax") {
        return Ok(Scale::MinMax);
    }
    let (range, clip) = match s.split_once(',') {
        Some((r, "clip")) => (r, true),
        Some(_) => return Err(bad()),
        None => (s, false),
    };
    let (lo, hi) = range.split_once(':').ok_or_else(bad)?;
    let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
    let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(bad());
    }
    let policy = Scale::range(lo, hi);
    Ok(if clip { policy.clip() } else { policy })
}

impl Conversions {
    /// True when no conversion flag is given.
    pub fn is_empty(&self) -> bool {
        self.to.is_none()
            && !self.orient
            && !self.invert
            && !self.drop_alpha
            && !self.add_alpha
            && !self.swap_rb
            && self.cast.is_none()
            && !self.narrow
            && self.scale.is_none()
    }

    /// Checks the flag values before any file is read.
    pub fn validate(&self) -> Result<(), Failure> {
        if let Some(t) = &self.to {
            self.layout_target(t)?;
        }
        if let Some(c) = &self.cast {
            c.parse::<SampleType>()
                .map_err(|e| Failure::usage(format!("--cast: {e}")))?;
        }
        if let Some(s) = &self.scale {
            parse_scale(s)?;
        }
        Ok(())
    }

    fn layout_target(&self, t: &str) -> Result<Layout, Failure> {
        match t.parse::<Layout>() {
            Ok(Layout::Cmyk) | Err(_) => Err(Failure::usage(format!(
                "--to '{t}': expected gray, gray-alpha, rgb or rgba"
            ))),
            Ok(l) => Ok(l),
        }
    }

    /// Applies the conversions to every page of a file whose metadata is `meta` (`--orient`
    /// reads the orientation there and resets it to 1; `--invert` flips the photometric
    /// convention there, inverting within `significant_bits`). Errors come from
    /// `pixcodec::convert` and name the first value that does not fit.
    pub fn apply_pages(
        &self,
        pages: &[&Image],
        meta: &mut Metadata,
        significant_bits: Option<u8>,
    ) -> Result<Applied, pixcodec::Error> {
        let mut done = Applied::default();
        if self.is_empty() {
            return Ok(done);
        }
        let o = match self.orient {
            true => effective_orientation(meta).unwrap_or(1),
            false => 1,
        };
        if self.orient && o == 1 {
            done.notes
                .push("--orient changed nothing: the input is stored upright (orientation 1 or none)".to_string());
        }
        let given = meta.photometric;
        for page in pages {
            let (img, steps, notes) = self.apply(page, o, given, significant_bits)?;
            done.pages.push(img.unwrap_or_else(|| (*page).clone()));
            push_new(&mut done.steps, steps);
            push_new(&mut done.notes, notes);
        }
        if o != 1 {
            convert::reset_orientation(meta, o);
        }
        if self.invert {
            // Every page was inverted from the first page's convention: flip it once.
            meta.photometric = match given {
                Some(_) => None,
                None => pages.first().and_then(|p| Photometric::inverted_for(p.format().layout)),
            };
        }
        Ok(done)
    }

    /// Applies the conversions to one page, turned upright from orientation `o` first: the
    /// result (`None`: unchanged), the steps taken and notes on flags that changed nothing.
    #[allow(clippy::type_complexity)]
    fn apply(
        &self,
        img: &Image,
        o: u16,
        photometric: Option<Photometric>,
        significant_bits: Option<u8>,
    ) -> Result<(Option<Image>, Vec<String>, Vec<String>), pixcodec::Error> {
        let mut steps = Vec::new();
        let mut notes = Vec::new();
        let mut cur: Option<Image> = None;
        fn view<'a>(cur: &'a Option<Image>, img: &'a Image) -> pixcodec::ImageRef<'a> {
            cur.as_ref().unwrap_or(img).as_ref()
        }
        let from = img.format();
        if o != 1 {
            cur = Some(convert::orient(&img.as_ref(), o)?);
            steps.push(format!("orient {o}->1"));
        }
        if self.invert {
            // The first page's convention, flipped on a copy for every page (apply_pages flips
            // the file's metadata once).
            let mut m = Metadata::default();
            m.photometric = photometric;
            cur = Some(convert::apply_invert(&view(&cur, img), &mut m, significant_bits)?);
            let name = |p: Option<Photometric>| p.map_or("plain".to_string(), |p| p.to_string());
            steps.push(step("invert", name(photometric), name(m.photometric)));
        }
        if self.swap_rb {
            cur = Some(convert::swap_rb(&view(&cur, img))?);
            steps.push("swap-rb".to_string());
        }
        let layout = if let Some(t) = &self.to {
            Some(t.parse::<Layout>()?)
        } else if self.drop_alpha {
            let l = from.layout;
            cur = Some(convert::drop_alpha(&view(&cur, img))?);
            steps.push(step("drop-alpha", l, cur.as_ref().unwrap().format().layout));
            None
        } else if self.add_alpha {
            let l = from.layout;
            cur = Some(convert::add_alpha(&view(&cur, img), Alpha::Opaque)?);
            steps.push(step("add-alpha", l, cur.as_ref().unwrap().format().layout));
            None
        } else {
            None
        };
        if let Some(l) = layout {
            if l != from.layout {
                cur = Some(convert::to_layout(&view(&cur, img), l)?);
                let lossy =
                    matches!(from.layout, Layout::Rgb | Layout::Rgba) && !matches!(l, Layout::Rgb | Layout::Rgba);
                steps.push(format!(
                    "{}{}",
                    step("to", from.layout, l),
                    if lossy { " (luma, lossy)" } else { "" }
                ));
            }
        }
        let sample = view(&cur, img).format().sample;
        let cast = self.cast.as_deref().map(str::parse::<SampleType>).transpose()?;
        if let Some(s) = &self.scale {
            let policy = parse_scale(s).map_err(|f| pixcodec::Error::invalid(f.message))?;
            let to = cast.unwrap_or(sample);
            cur = Some(convert::scale(&view(&cur, img), to, policy)?);
            steps.push(step(&format!("scale {s}"), sample, to));
        } else if let Some(to) = cast {
            if to != sample {
                cur = Some(convert::cast(&view(&cur, img), to)?);
                steps.push(step("cast", sample, to));
            }
        } else if self.narrow {
            let to = convert::narrowest_type(&view(&cur, img));
            if to != sample {
                cur = Some(convert::narrow(&view(&cur, img))?);
                steps.push(step("narrow", sample, to));
            } else {
                notes.push(format!(
                    "--narrow kept {sample}: no smaller type of its kind holds every value"
                ));
            }
        }
        Ok((cur, steps, notes))
    }
}
