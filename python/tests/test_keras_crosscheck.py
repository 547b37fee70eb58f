"""pixcodec.keras against Keras 3 itself. Runs only where keras and tensorflow are installed
(not in `make test`: TensorFlow is about 600 MB); elsewhere every test here is skipped.

    pip install keras tensorflow-cpu && KERAS_BACKEND=tensorflow pytest python/tests/test_keras_crosscheck.py
"""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

import pixcodec as px  # noqa: E402
from pixcodec import keras as pk  # noqa: E402


def photo(h, w, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 / w, y * 255 / h, (x * y) % 256], axis=-1)
    return np.clip(base + rng.normal(0, 15, base.shape), 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("imgs")
    rgb = photo(75, 101, 0)
    alpha = np.full((75, 101, 1), 255, np.uint8)
    out = {}
    for name, arr in [("rgb.png", rgb), ("gray.png", rgb[:, :, 0]), ("rgba.png", np.concatenate([rgb, alpha], -1)),
                      ("rgb.jpg", rgb)]:
        px.imwrite(d / name, arr, **({"quality": 92} if name.endswith(".jpg") else {}))
        out[name] = d / name
    return out


@pytest.mark.parametrize("name", ["rgb.png", "gray.png", "rgba.png", "rgb.jpg"])
@pytest.mark.parametrize("mode", ["grayscale", "rgb", "rgba"])
@pytest.mark.parametrize("interp", ["nearest", "bilinear"])
@pytest.mark.parametrize("size,keep", [(None, False), ((224, 224), False), ((37, 53), False), ((33, 47), True)])
def test_load_img_equals_keras(images, name, mode, interp, size, keep):
    ref = keras.utils.img_to_array(
        keras.utils.load_img(images[name], color_mode=mode, target_size=size, interpolation=interp,
                             keep_aspect_ratio=keep)
    )
    ours = pk.img_to_array(pk.load_img(images[name], color_mode=mode, target_size=size, interpolation=interp,
                                       keep_aspect_ratio=keep))
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    assert np.abs(ours - ref).max() <= (0 if interp == "nearest" else 1)


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("tree")
    for c, n in [("b", 6), ("a", 5), ("c", 4)]:
        (root / c).mkdir()
        for i in range(n):
            px.imwrite(root / c / f"{i}.png", photo(20, 30, i + ord(c)))
    return root


def test_dataset_equals_keras(tree):
    kw = dict(image_size=(16, 24), batch_size=4, shuffle=False)
    ref = keras.utils.image_dataset_from_directory(tree, **kw)
    ours = pk.image_dataset_from_directory(tree, verbose=False, **kw)
    assert ours.class_names == ref.class_names
    assert ours.file_paths == list(ref.file_paths)
    for (ri, rl), (oi, ol) in zip(ref, ours):
        assert np.array_equal(rl.numpy(), ol)
        # TensorFlow's resize_bilinear arithmetic, in its order: equal to the bit.
        assert np.array_equal(ri.numpy(), oi)
    split = dict(image_size=(16, 24), seed=1337, validation_split=0.2, subset="both")
    rt, rv = keras.utils.image_dataset_from_directory(tree, **split)
    ot, ov = pk.image_dataset_from_directory(tree, verbose=False, **split)
    assert ot.file_paths == list(rt.file_paths) and ov.file_paths == list(rv.file_paths)


@pytest.fixture(scope="module")
def jpeg_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("jpegs")
    for c, n in [("x", 4), ("y", 3)]:
        (root / c).mkdir()
        for i in range(n):
            h, w = 40 + 7 * i, 50 + 11 * i
            px.imwrite(root / c / f"{i}.jpg", photo(h, w, i + ord(c)), quality=[75, 90, 98][i % 3])
    return root


@pytest.mark.parametrize("fit", [{}, {"crop_to_aspect_ratio": True}, {"pad_to_aspect_ratio": True}])
def test_dataset_jpeg_pixels_equal_keras(jpeg_tree, fit):
    """TensorFlow decodes JPEG with its fast IDCT; so does the dataset by default. The batches
    are Keras' to the bit, with every aspect-ratio mode."""
    for size in [(40, 50), (24, 32), (64, 80)]:
        kw = dict(image_size=size, batch_size=8, shuffle=False, **fit)
        ref = np.concatenate([x.numpy() for x, _ in keras.utils.image_dataset_from_directory(jpeg_tree, **kw)])
        ours = np.concatenate([x for x, _ in pk.image_dataset_from_directory(jpeg_tree, verbose=False, **kw)])
        assert np.array_equal(ours, ref), size
        accurate = np.concatenate([
            x for x, _ in pk.image_dataset_from_directory(jpeg_tree, verbose=False, dct_method="INTEGER_ACCURATE", **kw)
        ])
        assert np.abs(accurate - ref).max() > 1, size
