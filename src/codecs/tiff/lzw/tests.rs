//! Tests of the LZW coder: differential against the weezl-based strip decoder it replaced,
//! round trips, and the error cases (bad codes, short and over-long strips).

use super::*;
use proptest::prelude::*;

/// The strip decoder this module replaced, verbatim: `(bytes written, error?)`.
fn weezl_strip(src: &[u8], dst: &mut [u8]) -> (usize, bool) {
    let mut dec = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    let mut filled = 0;
    let mut input = src;
    loop {
        let r = dec.decode_bytes(input, &mut dst[filled..]);
        filled += r.consumed_out;
        input = &input[r.consumed_in..];
        match r.status {
            Ok(weezl::LzwStatus::Ok) if filled < dst.len() && (r.consumed_in > 0 || r.consumed_out > 0) => {}
            Ok(_) => return (filled, false),
            Err(_) => return (filled, true),
        }
    }
}

fn weezl_encode(data: &[u8]) -> Vec<u8> {
    let mut enc = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    enc.encode(data).expect("weezl encodes")
}

fn weezl_decode(stream: &[u8]) -> Vec<u8> {
    let mut dec = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    dec.decode(stream).expect("weezl decodes")
}

fn ours_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    Encoder::new().encode(data, &mut out);
    out
}

/// A plain reference decoder with libtiff's `LZWDecode` semantics (one `Vec` per string):
/// `(bytes written, error?, consecutive ClearCodes seen before the end?)`. Consecutive
/// ClearCodes are legal (libtiff loops over them); weezl stops producing output after
/// them without an error, so it cannot be the oracle for such streams.
fn reference_strip(src: &[u8], len: usize) -> (Vec<u8>, bool, bool) {
    let mut out = Vec::new();
    let mut table: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
    table.extend([Vec::new(), Vec::new()]);
    let (mut width, mut bit) = (9u32, 0usize);
    let mut prev: Option<Vec<u8>> = None;
    let (mut last_clear, mut double_clear) = (false, false);
    while out.len() < len {
        if bit + width as usize > src.len() * 8 {
            break;
        }
        let code = (0..width as usize).fold(0u32, |c, i| {
            let b = bit + i;
            c << 1 | u32::from(src[b / 8] >> (7 - b % 8) & 1)
        });
        bit += width as usize;
        if code == CLEAR {
            table.truncate(FIRST as usize);
            (width, prev) = (9, None);
            double_clear |= last_clear;
            last_clear = true;
            continue;
        }
        last_clear = false;
        if code == EOI {
            break;
        }
        let entry = match &prev {
            None if code < CLEAR => table[code as usize].clone(),
            None => return (out, true, double_clear),
            Some(_) if (code as usize) < table.len() => table[code as usize].clone(),
            Some(p) if code as usize == table.len() => {
                let mut e = p.clone();
                e.push(p[0]);
                e
            }
            Some(_) => return (out, true, double_clear),
        };
        let room = len - out.len();
        out.extend_from_slice(&entry[..entry.len().min(room)]);
        if let Some(mut p) = prev.take() {
            if table.len() < CODES {
                p.push(entry[0]);
                table.push(p);
                if table.len() == (1 << width) - 1 && width < 12 {
                    width += 1;
                }
            }
        }
        prev = Some(entry);
    }
    (out, false, double_clear)
}

/// Asserts that our decoder agrees with [`reference_strip`] on `stream` decoded into `len`
/// bytes (same bytes, an error exactly when the reference finds an invalid code before the
/// strip is full), and with the weezl-based strip decoder this module replaced wherever
/// weezl can decode the stream (weezl may read one code past a full strip; libtiff and we
/// do not).
fn agree(stream: &[u8], len: usize) {
    let (want, rerr, double_clear) = reference_strip(stream, len);
    let mut got = vec![0u8; len];
    match Decoder::new().decode(stream, &mut got) {
        Ok(n) => {
            assert!(
                !rerr,
                "reference: invalid code after {} bytes, ours: Ok({n})",
                want.len()
            );
            assert_eq!(n, want.len(), "bytes decoded");
        }
        Err(InvalidCode { filled }) => {
            assert!(
                rerr,
                "ours: invalid code after {filled} bytes, reference: Ok({})",
                want.len()
            );
            assert_eq!(filled, want.len(), "bytes decoded before the invalid code");
        }
    }
    assert!(got[..want.len()] == want[..], "decoded bytes differ from the reference");
    if double_clear {
        return;
    }
    let mut wbuf = vec![0u8; len];
    let (wn, werr) = weezl_strip(stream, &mut wbuf);
    if rerr {
        assert!(
            werr && wn == want.len(),
            "weezl: {wn} bytes, error {werr}; reference: error after {}",
            want.len()
        );
    } else {
        assert!(
            !werr || wn == len,
            "weezl: error after {wn} of {len} bytes, reference: Ok({})",
            want.len()
        );
        assert_eq!(wn, want.len(), "bytes decoded by weezl");
    }
    assert!(wbuf[..wn] == want[..wn], "weezl's bytes differ from the reference");
}

/// Bytes from `seed` over an alphabet of `alphabet` symbols (small: long repeats).
fn sample(seed: u64, n: usize, alphabet: u32) -> Vec<u8> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 32) as u32 % alphabet) as u8
        })
        .collect()
}

/// A code stream from random choices: valid codes (KwKwK included) with rare clears and
/// EOIs and no clear forced at 4094, so the table can fill up; widths as TIFF decoders
/// expect them.
fn code_stream(choices: &[u16]) -> Vec<u8> {
    let mut acc = 0u64;
    let mut nbits = 0u32;
    let mut out = Vec::new();
    let mut put = |code: u32, width: u32, out: &mut Vec<u8>| {
        acc = (acc << width) | u64::from(code);
        nbits += width;
        while nbits >= 8 {
            out.push((acc >> (nbits - 8)) as u8);
            nbits -= 8;
        }
    };
    let (mut next, mut width, mut first) = (FIRST, 9u32, true);
    for &c in choices {
        let c = u32::from(c);
        if c % 2000 == 0 {
            put(CLEAR, width, &mut out);
            (next, width, first) = (FIRST, 9, true);
            continue;
        }
        if c % 2000 == 1 {
            put(EOI, width, &mut out);
            continue;
        }
        if first {
            put(c % 256, width, &mut out);
            first = false;
            continue;
        }
        let code = c % (next.min(4095) + 1 - 2);
        let code = if code < 256 { code } else { code + 2 };
        put(code, width, &mut out);
        if (next as usize) < CODES {
            next += 1;
            if next == (1 << width) - 1 && width < 12 {
                width += 1;
            }
        }
    }
    put(0, 7, &mut out);
    out
}

#[test]
fn fixed_round_trips() {
    for (seed, n, alphabet) in [
        (1, 0, 256),
        (2, 1, 256),
        (3, 2, 1),
        (4, 100_000, 1),
        (5, 300_000, 256),
        (6, 300_000, 3),
        (7, 262_144, 17),
    ] {
        let data = sample(seed, n, alphabet);
        let ours = ours_encode(&data);
        assert_eq!(weezl_decode(&ours), data, "ours -> weezl, n {n} alphabet {alphabet}");
        for stream in [&ours, &weezl_encode(&data)] {
            let mut dst = vec![0u8; n];
            assert_eq!(Decoder::new().decode(stream, &mut dst), Ok(n));
            assert!(dst == data);
            // A larger buffer ends at EOI.
            let mut dst = vec![0u8; n + 5];
            assert_eq!(Decoder::new().decode(stream, &mut dst), Ok(n));
            assert!(dst[..n] == data[..]);
            agree(stream, n);
            agree(stream, n + 5);
            agree(stream, n / 2);
        }
    }
}

#[test]
fn full_table_without_clear() {
    // 20000 codes, no clear after the first few thousand: the table fills and stays.
    let choices: Vec<u16> = sample(9, 40_000, 256)
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]) % 1998 + 2)
        .collect();
    let stream = code_stream(&choices);
    let mut want = vec![0u8; 50_000_000];
    let (n, err) = weezl_strip(&stream, &mut want);
    assert!(!err && n > 20_000, "{n} {err}");
    agree(&stream, n);
    agree(&stream, n + 1);
}

/// 9-bit codes, MSB first, zero-padded.
fn pack9(codes: &[u32]) -> Vec<u8> {
    let mut bits: Vec<bool> = codes
        .iter()
        .flat_map(|&c| (0..9).rev().map(move |i| c >> i & 1 == 1))
        .collect();
    bits.resize(bits.len().div_ceil(8) * 8, false);
    bits.chunks(8)
        .map(|b| b.iter().fold(0u8, |a, &x| a << 1 | u8::from(x)))
        .collect()
}

#[test]
fn errors_and_edge_cases() {
    let mut dst = [0u8; 16];
    // Code 300 right after the clear: no predecessor.
    let bad = pack9(&[CLEAR, 300]);
    assert_eq!(Decoder::new().decode(&bad, &mut dst), Err(InvalidCode { filled: 0 }));
    agree(&bad, 16);
    // A code past the next free one.
    let bad = pack9(&[65, 66, 67, 261]);
    assert_eq!(Decoder::new().decode(&bad, &mut dst), Err(InvalidCode { filled: 3 }));
    agree(&bad, 16);
    // No ClearCode at the start.
    let s = pack9(&[65, 66, 258, EOI]);
    assert_eq!(Decoder::new().decode(&s, &mut dst), Ok(4));
    assert_eq!(&dst[..4], b"ABAB");
    agree(&s, 16);
    // KwKwK: A, then 258 = "AA".
    let s = pack9(&[CLEAR, 65, 258, EOI]);
    assert_eq!(Decoder::new().decode(&s, &mut dst), Ok(3));
    assert_eq!(&dst[..3], b"AAA");
    for len in 0..6 {
        agree(&s, len);
    }
    // Consecutive ClearCodes (libtiff loops over them): decoding goes on after the last one.
    // Found by the proptest below, where weezl, its first oracle, stops without an error.
    let s = pack9(&[65, 66, CLEAR, CLEAR, 67, 258, EOI]);
    assert_eq!(Decoder::new().decode(&s, &mut dst), Ok(5));
    assert_eq!(&dst[..5], b"ABCCC");
    for len in 0..8 {
        agree(&s, len);
    }
    // Empty input, an immediate EOI, a strip that ends before its data does.
    assert_eq!(Decoder::new().decode(&[], &mut dst), Ok(0));
    assert_eq!(Decoder::new().decode(&pack9(&[CLEAR, EOI]), &mut dst), Ok(0));
    assert_eq!(Decoder::new().decode(&s, &mut dst[..2]), Ok(2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn encoders_agree_with_weezl(seed in any::<u64>(), n in 0usize..40_000, alphabet in 1u32..=256) {
        let data = sample(seed, n, alphabet);
        let ours = ours_encode(&data);
        prop_assert!(weezl_decode(&ours) == data);
        let theirs = weezl_encode(&data);
        let mut dst = vec![0u8; n];
        prop_assert_eq!(Decoder::new().decode(&theirs, &mut dst), Ok(n));
        prop_assert!(dst == data);
        dst.fill(0);
        prop_assert_eq!(Decoder::new().decode(&ours, &mut dst), Ok(n));
        prop_assert!(dst == data);
    }

    #[test]
    fn corrupt_streams_decode_like_weezl(
        seed in any::<u64>(),
        n in 1usize..20_000,
        alphabet in 1u32..=256,
        edits in proptest::collection::vec((any::<u32>(), any::<u8>()), 0..6),
        cut in any::<u32>(),
        len_pick in any::<u32>(),
    ) {
        let data = sample(seed, n, alphabet);
        let mut stream = if seed % 2 == 0 { ours_encode(&data) } else { weezl_encode(&data) };
        for (at, v) in edits {
            let at = at as usize % stream.len();
            stream[at] ^= v;
        }
        stream.truncate(stream.len() - cut as usize % stream.len().max(1) / 4);
        agree(&stream, len_pick as usize % (2 * n));
    }

    #[test]
    fn code_streams_decode_like_weezl(choices in proptest::collection::vec(any::<u16>(), 0..6000), len in 0usize..200_000) {
        agree(&code_stream(&choices), len);
    }

    #[test]
    fn random_bytes_decode_like_weezl(stream in proptest::collection::vec(any::<u8>(), 0..3000), len in 0usize..10_000) {
        agree(&stream, len);
    }
}

/// Speed against weezl on the bench images (raw sample bytes in 256 KiB strips, as the
/// encoder writes them). Run with `--release -- --ignored --nocapture`.
#[test]
#[ignore]
fn speed_against_weezl() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../main/target/bench/inputs");
    for name in [
        "rgb8_1920x1080",
        "gray16_1024x768",
        "labels32_1024x768",
        "field32f_1024x768",
    ] {
        let Ok(npy) = std::fs::read(dir.join(format!("{name}.npy"))) else {
            eprintln!("{name}: missing");
            continue;
        };
        let header = 10 + usize::from(u16::from_le_bytes([npy[8], npy[9]]));
        let raw = &npy[header..];
        let strips: Vec<&[u8]> = raw.chunks(1 << 18).collect();
        let time = |f: &mut dyn FnMut()| {
            let mut best = f64::MAX;
            for _ in 0..7 {
                let t = std::time::Instant::now();
                f();
                best = best.min(t.elapsed().as_secs_f64());
            }
            raw.len() as f64 / best / 1e6
        };
        let mut enc = Encoder::new();
        let ours: Vec<Vec<u8>> = strips.iter().map(|s| ours_encode(s)).collect();
        let theirs: Vec<Vec<u8>> = strips.iter().map(|s| weezl_encode(s)).collect();
        let e_ours = time(&mut || {
            for s in &strips {
                let mut out = Vec::new();
                enc.encode(s, &mut out);
                std::hint::black_box(out);
            }
        });
        let mut wenc = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
        let e_weezl = time(&mut || {
            for s in &strips {
                wenc.reset();
                let mut out = Vec::with_capacity(s.len() / 2 + 64);
                let r = wenc.into_vec(&mut out).encode_all(s);
                r.status.expect("encodes");
                std::hint::black_box(out);
            }
        });
        let mut dec = Decoder::new();
        let mut dst = vec![0u8; 1 << 18];
        let d_ours = time(&mut || {
            for (s, c) in strips.iter().zip(&theirs) {
                dec.decode(c, &mut dst[..s.len()]).expect("decodes");
                std::hint::black_box(&dst);
            }
        });
        let d_weezl = time(&mut || {
            for (s, c) in strips.iter().zip(&theirs) {
                weezl_strip(c, &mut dst[..s.len()]);
                std::hint::black_box(&dst);
            }
        });
        let (a, b): (usize, usize) = (ours.iter().map(Vec::len).sum(), theirs.iter().map(Vec::len).sum());
        eprintln!(
            "{name}: encode ours {e_ours:.0} weezl {e_weezl:.0} MB/s (bytes {a} vs {b}); decode ours {d_ours:.0} weezl {d_weezl:.0} MB/s"
        );
    }
}
