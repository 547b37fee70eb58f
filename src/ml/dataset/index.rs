//! Directory indexing as Keras' `index_directory` does it: class folders, the recursive
//! sorted walk, extension filtering, labels, the NumPy-seeded shuffle and the training /
//! validation split. No image is decoded here.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::options::check_options;
use super::{DatasetOptions, LabelMode, Labels, Subset};
use crate::error::{Error, Result};

use crate::ml::load::with_file;
use crate::ml::mt19937::numpy_shuffle_permutation;

pub(super) struct Inner {
    pub(super) paths: Vec<PathBuf>,
    pub(super) labels: Option<Vec<i32>>,
    pub(super) class_names: Vec<String>,
    pub(super) summary: Vec<String>,
    pub(super) opts: DatasetOptions,
}

/// Keras' `os.walk` + sort: (folder, sorted file names) for every folder under `top`.
fn walk(top: &Path, follow_links: bool, out: &mut Vec<(PathBuf, Vec<String>)>, is_top: bool) -> Result<()> {
    let entries = match std::fs::read_dir(top) {
        Ok(e) => e,
        // os.walk ignores folders it cannot list (onerror=None), except that the caller's
        // own folder must exist.
        Err(e) if !is_top => {
            let _ = e;
            return Ok(());
        }
        Err(e) => return Err(with_file(Error::Io(e), top)),
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let is_link = entry.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        if path.is_dir() {
            if !is_link || follow_links {
                dirs.push(path);
            }
        } else {
            files.push(name);
        }
    }
    files.sort();
    out.push((top.to_path_buf(), files));
    for d in dirs {
        walk(&d, follow_links, out, false)?;
    }
    Ok(())
}

fn index_subdirectory(dir: &Path, opts: &DatasetOptions) -> Result<Vec<PathBuf>> {
    let mut folders = Vec::new();
    walk(dir, opts.follow_links, &mut folders, true)?;
    folders.sort_by(|a, b| {
        a.0.as_os_str()
            .as_encoded_bytes()
            .cmp(b.0.as_os_str().as_encoded_bytes())
    });
    let mut out = Vec::new();
    for (root, files) in folders {
        for f in files {
            let lower = f.to_ascii_lowercase();
            if opts.extensions.iter().any(|e| lower.ends_with(&format!(".{e}"))) {
                out.push(root.join(f));
            }
        }
    }
    Ok(out)
}

/// The full (unsplit) index: paths, labels, class names, summary lines.
pub(super) fn index_directory(dir: &Path, opts: &DatasetOptions) -> Result<Inner> {
    check_options(opts)?;
    let mut paths = Vec::new();
    let mut labels: Option<Vec<i32>>;
    let mut class_names: Vec<String>;
    match &opts.labels {
        Labels::Inferred => {
            let mut subdirs = Vec::new();
            let entries = std::fs::read_dir(dir).map_err(|e| with_file(Error::Io(e), dir))?;
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if entry.path().is_dir() && !name.starts_with('.') {
                    subdirs.push(name);
                }
            }
            subdirs.sort();
            if let Some(given) = &opts.class_names {
                if let Some(bad) = given.iter().find(|g| !subdirs.contains(g)) {
                    return Err(Error::invalid(format!(
                        "class_names did not match the sub-folders of {}: '{bad}' is not one of {subdirs:?}",
                        dir.display()
                    )));
                }
                subdirs = given.clone();
            }
            let found: Vec<Result<Vec<PathBuf>>> = subdirs
                .par_iter()
                .map(|s| index_subdirectory(&dir.join(s), opts))
                .collect();
            let mut l = Vec::new();
            for (k, f) in found.into_iter().enumerate() {
                let f = f?;
                l.extend(std::iter::repeat_n(k as i32, f.len()));
                paths.extend(f);
            }
            labels = Some(l);
            class_names = subdirs;
        }
        Labels::None => {
            paths = index_subdirectory(dir, opts)?;
            labels = None;
            class_names = Vec::new();
        }
        Labels::Explicit(given) => {
            paths = index_subdirectory(dir, opts)?;
            if given.len() != paths.len() {
                return Err(Error::invalid(format!(
                    "expected the number of labels to match the number of files in {}: {} labels, {} files",
                    dir.display(),
                    given.len(),
                    paths.len()
                )));
            }
            let mut distinct = given.clone();
            distinct.sort();
            distinct.dedup();
            class_names = distinct.iter().map(|v| v.to_string()).collect();
            labels = Some(given.clone());
        }
    }
    let summary = vec![if labels.is_none() {
        format!("Found {} files.", paths.len())
    } else {
        format!(
            "Found {} files belonging to {} classes.",
            paths.len(),
            class_names.len()
        )
    }];
    if paths.is_empty() {
        return Err(Error::invalid(format!(
            "no images found in directory {}. Allowed formats: {}",
            dir.display(),
            opts.extensions.join(", ")
        )));
    }
    let mut label_mode = opts.label_mode;
    if labels.is_none() {
        label_mode = LabelMode::None;
    }
    if label_mode == LabelMode::Binary && class_names.len() != 2 {
        return Err(Error::invalid(format!(
            "label_mode binary needs exactly 2 class names, got {class_names:?}"
        )));
    }
    if label_mode == LabelMode::Categorical {
        if let Some(l) = &labels {
            if let Some(bad) = l.iter().find(|&&v| v < 0 || v as usize >= class_names.len()) {
                return Err(Error::invalid(format!(
                    "label {bad} is outside 0..{} (the number of classes); categorical labels must index a class",
                    class_names.len()
                )));
            }
        }
    }
    if label_mode == LabelMode::None {
        labels = None;
    }
    if opts.shuffle {
        let seed = opts.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos() ^ d.as_secs() as u32)
                .unwrap_or(0)
        });
        let perm = numpy_shuffle_permutation(paths.len(), seed);
        paths = perm.iter().map(|&i| paths[i].clone()).collect();
        labels = labels.map(|l| perm.iter().map(|&i| l[i]).collect());
    }
    if label_mode == LabelMode::None {
        class_names.clear();
    }
    let mut o = opts.clone();
    o.label_mode = label_mode;
    Ok(Inner {
        paths,
        labels,
        class_names,
        summary,
        opts: o,
    })
}

pub(super) fn split(full: &Inner, subset: Subset) -> Result<Inner> {
    let Some(frac) = full.opts.validation_split else {
        return Ok(Inner {
            paths: full.paths.clone(),
            labels: full.labels.clone(),
            class_names: full.class_names.clone(),
            summary: full.summary.clone(),
            opts: full.opts.clone(),
        });
    };
    let n = full.paths.len();
    let n_val = (frac * n as f64) as usize;
    if n_val == 0 {
        return Err(Error::invalid(format!(
            "validation_split {frac} of {n} files gives no validation file (Keras would then put every file in \
             both subsets); use a larger split or more files"
        )));
    }
    let (range, line) = match subset {
        Subset::Training => (0..n - n_val, format!("Using {} files for training.", n - n_val)),
        Subset::Validation => (n - n_val..n, format!("Using {n_val} files for validation.")),
        Subset::Both => return Err(Error::invalid("split needs training or validation")),
    };
    let mut summary = full.summary.clone();
    summary.push(line);
    Ok(Inner {
        paths: full.paths[range.clone()].to_vec(),
        labels: full.labels.as_ref().map(|l| l[range].to_vec()),
        class_names: full.class_names.clone(),
        summary,
        opts: full.opts.clone(),
    })
}
