"""pixcodec.keras on generated files, compared with Pillow where the operation is Pillow's."""

import io

import numpy as np
import pytest

import pixcodec as px
from pixcodec import keras as pk

PIL = pytest.importorskip("PIL.Image")


def photo(h, w, seed=0):
    """A smooth image with some noise (resizing filters differ visibly on it)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 / w, y * 255 / h, (x + y) * 127 / (w + h)], axis=-1)
    return np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture
def files(tmp_path):
    rgb = photo(60, 80)
    rgba = np.concatenate([rgb, (np.arange(60 * 80) % 256).astype(np.uint8).reshape(60, 80, 1)], axis=-1)
    paths = {}
    for name, arr, fmt in [("rgb.png", rgb, "PNG"), ("rgba.png", rgba, "PNG"), ("rgb.jpg", rgb, "JPEG")]:
        p = tmp_path / name
        PIL.fromarray(arr).save(p, format=fmt, quality=92)
        paths[name] = p
    return paths


@pytest.mark.parametrize("name", ["rgb.png", "rgba.png", "rgb.jpg"])
@pytest.mark.parametrize("mode,pil_mode", [("rgb", "RGB"), ("rgba", "RGBA"), ("grayscale", "L")])
def test_load_img_color_modes_equal_pillow(files, name, mode, pil_mode):
    ours = pk.load_img(files[name], color_mode=mode)
    ref = np.asarray(PIL.open(files[name]).convert(pil_mode))
    assert ours.dtype == np.uint8 and ours.shape == ref.shape
    # JPEG: libjpeg-turbo on both sides, the same IDCT: equal.
    assert np.array_equal(ours, ref)


@pytest.mark.parametrize("name", ["rgb.png", "rgb.jpg"])
@pytest.mark.parametrize("interp,pil_filter", [("nearest", "NEAREST"), ("bilinear", "BILINEAR")])
@pytest.mark.parametrize("size", [(24, 32), (30, 50), (90, 100)])
def test_load_img_target_size_matches_pillow_resize(files, name, interp, pil_filter, size):
    ours = pk.load_img(files[name], target_size=size, interpolation=interp)
    img = PIL.open(files[name]).convert("RGB")
    ref = np.asarray(img.resize((size[1], size[0]), getattr(PIL.Resampling, pil_filter)))
    assert ours.shape == ref.shape
    diff = np.abs(ours.astype(int) - ref.astype(int)).max()
    assert diff <= (0 if interp == "nearest" else 1), diff


def test_load_img_keep_aspect_ratio_crops_the_centre(files):
    ours = pk.load_img(files["rgb.png"], target_size=(30, 30), keep_aspect_ratio=True)
    img = PIL.open(files["rgb.png"]).convert("RGB")
    # Keras: crop box (w - crop_w) // 2 ... of the source, then Pillow resize(box=...).
    w, h = img.size
    crop_h, crop_w = min(h, w * 30 // 30), min(w, h * 30 // 30)
    x0, y0 = (w - crop_w) // 2, (h - crop_h) // 2
    ref = np.asarray(img.resize((30, 30), PIL.Resampling.NEAREST, box=(x0, y0, x0 + crop_w, y0 + crop_h)))
    assert np.array_equal(ours, ref)


def test_load_img_keeps_16_bit_and_shrink_on_load_is_opt_in(tmp_path):
    a = (np.arange(20 * 30 * 3, dtype=np.uint16) * 50).reshape(20, 30, 3)
    p = tmp_path / "deep.png"
    px.imwrite(p, a)
    got = pk.load_img(p)
    assert got.dtype == np.uint16 and np.array_equal(got, a)
    big = photo(480, 640, seed=5)
    jp = tmp_path / "big.jpg"
    px.imwrite(jp, big, quality=90)
    default = pk.load_img(jp, target_size=(100, 120))
    full = np.asarray(PIL.open(jp).convert("RGB").resize((120, 100), PIL.Resampling.NEAREST))
    assert np.array_equal(default, full)
    # nearest never stayed within the default 40 dB of a full decode: no shrinking unless the
    # tolerance allows it
    assert np.array_equal(pk.load_img(jp, target_size=(100, 120), shrink_on_load=True), default)
    fast = pk.load_img(jp, target_size=(100, 120), shrink_on_load=True, shrink_min_psnr=0)
    assert fast.shape == default.shape and not np.array_equal(fast, default)
    # bilinear (antialiased, as Pillow) shrinks at 40 dB: 640x480 -> 120x100 at 1/4 (160x120,
    # ratio 1.2 < 1.25) is not allowed, 1/2 (320x240) is (tolerance 0 takes 1/4: a different
    # result); on this image the result stays within 40 dB
    smooth = pk.load_img(jp, target_size=(100, 120), interpolation="bilinear")
    shrunk = pk.load_img(jp, target_size=(100, 120), interpolation="bilinear", shrink_on_load=True)
    quarter = pk.load_img(jp, target_size=(100, 120), interpolation="bilinear", shrink_on_load=True,
                          shrink_min_psnr=0)
    assert not np.array_equal(shrunk, smooth) and not np.array_equal(shrunk, quarter)
    mse = np.mean((shrunk.astype(np.float64) - smooth) ** 2)
    assert 10 * np.log10(255.0**2 / mse) >= 40
    # bytes and file objects load too
    assert np.array_equal(pk.load_img(jp.read_bytes(), target_size=(100, 120)), default)
    with open(jp, "rb") as f:
        assert np.array_equal(pk.load_img(f, target_size=(100, 120)), default)


def test_img_to_array_and_back():
    x = photo(5, 6)
    f = pk.img_to_array(x)
    assert f.dtype == np.float32 and f.shape == (5, 6, 3) and np.array_equal(f, x)
    cf = pk.img_to_array(x, data_format="channels_first")
    assert cf.shape == (3, 5, 6) and np.array_equal(cf[1], x[:, :, 1])
    assert np.array_equal(pk.img_to_array(x, "channels_first"), cf)  # Keras' positional order
    assert pk.img_to_array(x, "uint8").dtype == np.uint8
    # dtype strings mean what numpy says: "u8" is uint64 (not uint8), "f4" float32
    assert pk.img_to_array(x, "u8").dtype == np.uint64
    assert np.array_equal(pk.img_to_array(x, "u8"), x.astype(np.uint64))
    assert pk.img_to_array(x, "f4").dtype == np.float32
    with pytest.raises(px.UnsupportedError, match="complex64"):
        pk.img_to_array(x, "complex64")
    g = pk.img_to_array(x[:, :, 0])
    assert g.shape == (5, 6, 1)
    back = pk.array_to_img(f)
    assert back.dtype == np.uint8 and np.array_equal(back, x)
    assert np.array_equal(pk.array_to_img(cf, data_format="channels_first"), x)
    with pytest.raises(px.NotExactError):
        pk.img_to_array(np.array([[2**24 + 1]], dtype=np.uint32))


def test_array_to_img_never_rescales_unless_asked():
    x = np.array([[0.0, 0.5], [1.0, 2.0]], dtype=np.float32)
    with pytest.raises(px.NotExactError, match="0.5") as e:
        pk.array_to_img(x)
    assert isinstance(e.value, ValueError)
    labels = np.array([[0, 1], [4, 5]], dtype=np.int32)
    assert np.array_equal(pk.array_to_img(labels), labels.astype(np.uint8))
    mm = pk.array_to_img(labels, scale="minmax")
    assert mm.tolist() == [[0, 51], [204, 255]]  # Keras' scale=True on labels 0..5
    r = pk.array_to_img(np.array([[0.0, 0.5], [1.0, 0.25]]), scale=(0.0, 1.0))
    assert r.tolist() == [[0, 128], [255, 64]]
    with pytest.raises(px.NotExactError):
        pk.array_to_img(np.array([[0.0, 2.0]]), scale=(0.0, 1.0))
    with pytest.raises(px.InvalidArgumentError, match="minmax"):
        pk.array_to_img(labels, scale=True)
    assert pk.array_to_img(labels, dtype=None).dtype == np.int32


def test_save_img_exact_and_reported(tmp_path):
    x = photo(8, 8).astype(np.float32)
    r = pk.save_img(tmp_path / "a.png", x)
    assert r.exact and np.array_equal(px.imread(tmp_path / "a.png"), x.astype(np.uint8))
    r = pk.save_img(tmp_path / "a.jpg", x, quality=95)
    assert not r.exact and r.format == "jpeg"
    r = pk.save_img(tmp_path / "b.bin", x, file_format="tiff")
    assert r.format == "tiff"
    with pytest.raises(px.NotExactError):
        pk.save_img(tmp_path / "c.png", x + 0.5)
    assert not (tmp_path / "c.png").exists()
    r = pk.save_img(tmp_path / "d.png", x + 0.5, scale="minmax")
    assert r.exact and px.imread(tmp_path / "d.png").max() == 255


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "data"
    rng = np.random.default_rng(1)
    n = {"cats": 5, "dogs": 7, ".hidden": 2}
    for cls, count in n.items():
        (root / cls).mkdir(parents=True)
        for i in range(count):
            a = rng.integers(0, 256, (16, 20, 3), dtype=np.uint8)
            ext = "png" if i % 2 else "jpg"
            px.imwrite(root / cls / f"{i:02d}.{ext}", a)
    (root / "cats" / "notes.txt").write_text("not an image")
    return root


def test_dataset_classes_labels_batches(tree):
    ds = pk.image_dataset_from_directory(tree, image_size=(16, 20), batch_size=4, shuffle=False, verbose=False)
    assert ds.class_names == ["cats", "dogs"]
    assert len(ds) == 3 and len(ds.file_paths) == 12
    # Without shuffle: sorted class folders, sorted files.
    assert [p.split("/")[-2] for p in ds.file_paths] == ["cats"] * 5 + ["dogs"] * 7
    seen = []
    for images, labels in ds:
        assert images.dtype == np.float32 and images.shape[1:] == (16, 20, 3)
        assert labels.dtype == np.int32 and labels.shape == (images.shape[0],)
        seen.append((images, labels))
    assert [len(l) for _, l in seen] == [4, 4, 4]
    labels = np.concatenate([l for _, l in seen])
    assert labels.tolist() == [0] * 5 + [1] * 7
    images = np.concatenate([i for i, _ in seen])
    # The files already have the target size: the batches hold their exact samples (JPEGs
    # decoded with TensorFlow's default fast IDCT, as Keras' datasets are).
    for path, img in zip(ds.file_paths, images):
        assert np.array_equal(img, px.imread(path, dct_method="fast").astype(np.float32))
    accurate = pk.image_dataset_from_directory(
        tree, image_size=(16, 20), batch_size=4, shuffle=False, verbose=False, dct_method="INTEGER_ACCURATE"
    )
    images = np.concatenate([i for i, _ in accurate])
    for path, img in zip(accurate.file_paths, images):
        assert np.array_equal(img, px.imread(path).astype(np.float32))


def test_dataset_shuffle_split_modes(tree):
    kw = dict(image_size=(8, 10), batch_size=3, seed=42, validation_split=0.25, verbose=False)
    train, val = pk.image_dataset_from_directory(tree, subset="both", **kw)
    t2 = pk.image_dataset_from_directory(tree, subset="training", **kw)
    v2 = pk.image_dataset_from_directory(tree, subset="validation", **kw)
    assert train.file_paths == t2.file_paths and val.file_paths == v2.file_paths
    assert len(val.file_paths) == 3 and len(train.file_paths) == 9
    assert not set(train.file_paths) & set(val.file_paths)
    # NumPy's RandomState(seed).shuffle of the sorted list, as Keras does.
    plain = pk.image_dataset_from_directory(tree, image_size=(8, 10), shuffle=False, verbose=False)
    order = list(plain.file_paths)
    np.random.RandomState(42).shuffle(order)
    assert train.file_paths + val.file_paths == order
    cat = pk.image_dataset_from_directory(
        tree, label_mode="categorical", image_size=(8, 10), shuffle=False, batch_size=32, verbose=False
    )
    _, onehot = next(iter(cat))
    assert onehot.shape == (12, 2) and onehot.dtype == np.float32 and onehot[:5, 0].all()
    gray = pk.image_dataset_from_directory(
        tree, labels=None, color_mode="grayscale", image_size=(8, 10), shuffle=False, verbose=False
    )
    batch = next(iter(gray))
    # labels=None walks the whole tree, hidden folders included (Keras' os.walk).
    assert isinstance(batch, np.ndarray) and batch.shape == (14, 8, 10, 1)
    single = pk.image_dataset_from_directory(tree, image_size=(8, 10), batch_size=None, shuffle=False, verbose=False)
    items = list(single)
    assert len(single) == 12 and len(items) == 12 and items[0][0].shape == (8, 10, 3)
    u8 = pk.image_dataset_from_directory(tree, image_size=(16, 20), shuffle=False, dtype="uint8", verbose=False)
    imgs, _ = next(iter(u8))
    # A JPEG (the fast IDCT, as TensorFlow's default).
    assert u8.file_paths[0].endswith(".jpg")
    assert imgs.dtype == np.uint8 and np.array_equal(imgs[0], px.imread(u8.file_paths[0], dct_method="fast"))


def test_dataset_errors(tree, tmp_path):
    with pytest.raises(px.InvalidArgumentError):
        pk.image_dataset_from_directory(tree, validation_split=0.2, verbose=False)
    with pytest.raises(px.Error):
        pk.image_dataset_from_directory(tmp_path / "nope", verbose=False)
    with pytest.raises(px.InvalidArgumentError):
        pk.image_dataset_from_directory(tree, label_mode="sparse", verbose=False)
    bad = tree / "dogs" / "zz.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    ds = pk.image_dataset_from_directory(tree, shuffle=False, verbose=False)
    with pytest.raises(px.DecodeError, match="zz.png"):
        for _ in ds:
            pass


def test_dct_method_fast_equals_simplejpeg_fastdct_and_accurate_equals_pillow(tmp_path):
    simplejpeg = pytest.importorskip("simplejpeg")
    # Noise at quality 98, where libjpeg's two IDCTs differ most.
    a = np.random.default_rng(5).integers(0, 256, (48, 64, 3), dtype=np.uint8)
    data = px.encode(a, "jpeg", quality=98)
    fast = px.decode(data, dct_method="fast")
    accurate = px.decode(data)
    assert not np.array_equal(fast, accurate)
    assert np.array_equal(fast, simplejpeg.decode_jpeg(data, fastdct=True))
    assert np.array_equal(accurate, simplejpeg.decode_jpeg(data, fastdct=False))
    assert np.array_equal(accurate, np.asarray(PIL.open(io.BytesIO(data))))
    for spelling in ("INTEGER_FAST", "Fast"):
        assert np.array_equal(px.decode(data, dct_method=spelling), fast)
    assert np.array_equal(px.decode(data, dct_method="INTEGER_ACCURATE"), accurate)
    p = tmp_path / "n.jpg"
    p.write_bytes(data)
    assert np.array_equal(px.imread(p, dct_method="fast"), fast)
    assert np.array_equal(px.decode_pages(data, dct_method="fast")[0], fast)
    assert np.array_equal(px.decode_volume(data, dct_method="fast")[0], fast)
    with pytest.raises(px.InvalidArgumentError, match="unknown DCT method 'float'"):
        px.decode(data, dct_method="float")
    # The dataset decodes with the fast IDCT unless told otherwise; a PNG has no DCT.
    (tmp_path / "d" / "c").mkdir(parents=True)
    (tmp_path / "d" / "c" / "n.jpg").write_bytes(data)
    kw = dict(image_size=(48, 64), shuffle=False, verbose=False)
    (batch, _), = list(pk.image_dataset_from_directory(tmp_path / "d", **kw))
    assert np.array_equal(batch[0], fast.astype(np.float32))
    (batch, _), = list(pk.image_dataset_from_directory(tmp_path / "d", dct_method="accurate", **kw))
    assert np.array_equal(batch[0], accurate.astype(np.float32))
    with pytest.raises(px.InvalidArgumentError, match="unknown DCT method"):
        pk.image_dataset_from_directory(tmp_path / "d", dct_method="slow", **kw)


def test_shrink_tolerance_default_is_the_rust_one():
    import inspect
    import pathlib

    from pixcodec import _pixcodec

    assert _pixcodec.DEFAULT_SHRINK_MIN_PSNR == 40.0
    for f in (pk.load_img, pk.image_dataset_from_directory):
        assert inspect.signature(f).parameters["shrink_min_psnr"].default == _pixcodec.DEFAULT_SHRINK_MIN_PSNR
    stub = (pathlib.Path(pk.__file__).with_suffix(".pyi")).read_text()
    assert stub.count("shrink_min_psnr: float = 40.0") == 3
