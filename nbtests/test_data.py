"""Tests of cnnbook.data on IDX files the tests write themselves.

Nothing here needs the internet: downloads go to a loopback HTTP server.
"""
import gzip
import hashlib
import http.server
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from cnnbook import data
from cnnbook.data import DataError

N = {'train': 60000, 't10k': 10000}


def idx_bytes(array, magic):
    """An IDX file's bytes, written independently of cnnbook's reader."""
    header = magic.to_bytes(4, 'big') + b''.join(
        d.to_bytes(4, 'big') for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_folder(folder, labels_offset=0):
    """Write four valid files; image i is filled with (i % 251)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in N.items():
        images = np.broadcast_to((np.arange(n) % 251).astype(np.uint8)
                                 [:, None, None], (n, 28, 28))
        labels = (np.arange(n) + labels_offset) % 10
        for kind, arr, magic in (('images-idx3', images, 0x803),
                                 ('labels-idx1', labels, 0x801)):
            with gzip.open(folder / f'{split}-{kind}-ubyte.gz', 'wb',
                           compresslevel=1) as f:
                f.write(idx_bytes(arr, magic))
    return folder


@pytest.fixture(scope='session')
def good(tmp_path_factory):
    return write_folder(tmp_path_factory.mktemp('good'))


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No test sees the real cache, Debian's copy or the network."""
    monkeypatch.setenv('MXNET_HOME', str(tmp_path / 'mxnet-home'))
    monkeypatch.delenv('FASHION_MNIST_DIR', raising=False)
    monkeypatch.setattr(data, 'DEBIAN_DIR', tmp_path / 'no-debian')
    monkeypatch.setattr(data, 'BASE_URL', 'http://127.0.0.1:9/')
    data._load_folder.cache_clear()


def copy_with(src, dst, name, content):
    """Copy a good folder and replace one file's bytes with ``content``."""
    dst.mkdir()
    for f in Path(src).iterdir():
        (dst / f.name).write_bytes(f.read_bytes())
    (dst / name).write_bytes(content)
    return dst


def test_reads_real_layout(good):
    (Xtr, ytr), (Xte, yte) = data.load_arrays(root=good)
    assert Xtr.shape == (60000, 28, 28) and Xte.shape == (10000, 28, 28)
    assert Xtr.dtype == np.uint8 and ytr.shape == (60000,)
    assert Xtr[300, 5, 7] == 300 % 251 and ytr[123] == 3
    assert yte[9999] == 9


def test_loader_batches_and_resize(good):
    train_iter, test_iter = data.load_data_fashion_mnist(
        32, resize=56, root=good, subset=(100, 40))
    X, y = next(iter(test_iter))
    assert X.shape == (32, 1, 56, 56) and X.dtype == np.float32
    assert y.shape == (32,) and y.dtype == np.int32
    # each image is constant, so its resized copy is the same constant
    Xn = X.asnumpy()
    assert np.allclose(Xn.min(axis=(1, 2, 3)), Xn.max(axis=(1, 2, 3)))
    assert 0 <= Xn.min() and Xn.max() <= 1
    assert sum(b[1].shape[0] for b in test_iter) == 40
    # 100 examples: three full batches, the other 4 roll over to the next
    # epoch, so the hybridized net always sees one shape
    assert [b[0].shape[0] for b in train_iter] == [32, 32, 32]


def test_batch_resize_matches_bilinear_reference():
    # A horizontal ramp resized bilinearly with aligned corners is again a
    # ramp between the same end values, column by column.
    import mxnet as mx
    ramp = np.tile(np.linspace(0, 255, 28), (28, 1)).round().astype(np.uint8)
    X, _ = data.BatchResize(55)([(ramp, 0), (ramp, 1)])
    cols = X.asnumpy()[0, 0, 0]
    src = ramp[0] / 255
    ref = np.interp(np.linspace(0, 27, 55), np.arange(28), src)
    assert np.allclose(cols, ref, atol=1e-5)
    assert isinstance(X, mx.nd.NDArray)


def test_flips_mirror_about_half_of_the_training_images():
    # A ramp that rises left to right: a flipped copy falls.
    ramp = np.tile(np.arange(28, dtype=np.uint8) * 9, (28, 1))
    samples = [(ramp, i % 10) for i in range(400)]
    np.random.seed(0)
    X, y = data.BatchResize(None, flip=True)(samples)
    rows = X.asnumpy()[:, 0, 0]
    mirrored = rows[:, 0] > rows[:, -1]
    assert 150 < mirrored.sum() < 250
    assert np.allclose(rows[mirrored], (ramp[0, ::-1] / 255)[None])
    assert np.allclose(rows[~mirrored], (ramp[0] / 255)[None])
    assert (y.asnumpy() == [i % 10 for i in range(400)]).all()
    assert samples[0][0][0, 0] == 0         # the dataset's own copy kept
    # seeded: the same images mirrored again
    np.random.seed(0)
    again, _ = data.BatchResize(None, flip=True)(samples)
    assert (again.asnumpy() == X.asnumpy()).all()
    # without flip, none is
    plain, _ = data.BatchResize(None)(samples)
    assert not (plain.asnumpy()[:, 0, 0, 0] > plain.asnumpy()[:, 0, 0, -1]
                ).any()


def test_only_the_training_loader_flips(good):
    train_iter, test_iter = data.load_data_fashion_mnist(
        32, root=good, subset=(64, 64), flip=True)
    assert train_iter._batchify_fn.flip
    assert not test_iter._batchify_fn.flip


def test_batches_follow_numpy_interface(good):
    from mxnet import np as mnp, npx
    npx.set_np()
    X, y = data.BatchResize(None)([(np.zeros((28, 28), np.uint8), 1)])
    assert isinstance(X, mnp.ndarray) and isinstance(y, mnp.ndarray)


def test_lookup_order(good, tmp_path, monkeypatch):
    other = write_folder(tmp_path / 'other', labels_offset=1)
    monkeypatch.setenv('FASHION_MNIST_DIR', str(other))
    assert data.find_fashion_mnist(root=good) == (good, 'root')
    assert data.find_fashion_mnist() == (other, 'env')
    monkeypatch.delenv('FASHION_MNIST_DIR')
    write_folder(data.cache_dir())
    monkeypatch.setattr(data, 'DEBIAN_DIR', other)
    assert data.find_fashion_mnist() == (data.cache_dir(), 'cache')
    for f in data.cache_dir().iterdir():
        f.unlink()
    assert data.find_fashion_mnist() == (other, 'debian')


def test_incomplete_named_folder_is_an_error(good, tmp_path, monkeypatch):
    # another complete copy exists, but the folder named comes first
    partial = tmp_path / 'partial'
    partial.mkdir()
    (partial / 'train-images-idx3-ubyte.gz').write_bytes(
        (good / 'train-images-idx3-ubyte.gz').read_bytes())
    monkeypatch.setattr(data, 'DEBIAN_DIR', good)
    with pytest.raises(DataError, match=r'root=.*partial lacks '
                       r'train-labels-idx1-ubyte.gz, '
                       r't10k-images-idx3-ubyte.gz, '
                       r't10k-labels-idx1-ubyte.gz\b') as err:
        data.load_arrays(root=partial)
    missing = str(err.value).split(' lacks ')[1].split('. ')[0]
    assert 'train-images' not in missing
    monkeypatch.setenv('FASHION_MNIST_DIR', str(partial))
    with pytest.raises(DataError, match='FASHION_MNIST_DIR=.*partial lacks'):
        data.load_arrays()
    assert [f.name for f in partial.iterdir()] == [
        'train-images-idx3-ubyte.gz']


def test_incomplete_cache_is_skipped(good, monkeypatch):
    data.cache_dir().mkdir(parents=True)
    (data.cache_dir() / 'train-images-idx3-ubyte.gz').write_bytes(
        (good / 'train-images-idx3-ubyte.gz').read_bytes())
    monkeypatch.setattr(data, 'DEBIAN_DIR', good)
    assert data.find_fashion_mnist() == (good, 'debian')


def test_missing_directory_message(tmp_path):
    with pytest.raises(DataError, match=r'root=.*nope is not a directory.*'
                       r'apt-get install dataset-fashion-mnist'):
        data.load_arrays(root=tmp_path / 'nope')


def test_missing_env_directory_message(tmp_path, monkeypatch):
    monkeypatch.setenv('FASHION_MNIST_DIR', str(tmp_path / 'gone'))
    with pytest.raises(DataError, match='FASHION_MNIST_DIR=.*gone is not'):
        data.load_arrays()


def gz(raw):
    return gzip.compress(raw, compresslevel=1)


BAD = {
    'truncated gz': ('train-images-idx3-ubyte.gz', None,
                     'is truncated: its gzip stream ends early'),
    # a bit flipped in the CRC-32 that ends the gzip stream
    'bad crc': ('t10k-labels-idx1-ubyte.gz', 'flip-crc',
                r'fails its gzip check \(CRC check failed.*\): the file is '
                r'damaged'),
    # a gzip header followed by bytes that are no deflate stream
    'bad deflate': ('t10k-labels-idx1-ubyte.gz',
                    gzip.compress(b'')[:10] + b'\xff' * 100,
                    r'compressed data cannot be decoded \(Error -3'),
    'not gzip': ('t10k-labels-idx1-ubyte.gz',
                 b'<html><body>503 Service Unavailable</body></html>',
                 'not a gzip file'),
    'wrong magic': ('t10k-labels-idx1-ubyte.gz',
                    gz(idx_bytes(np.zeros(10000), 0x803)[:8]
                       + bytes(10000)),
                    'magic number 0x00000803, expected 0x00000801'),
    'wrong count': ('t10k-labels-idx1-ubyte.gz',
                    gz(idx_bytes(np.zeros(9999), 0x801)),
                    r'shape \(9999,\), expected \(10000,\)'),
    'short data': ('t10k-labels-idx1-ubyte.gz',
                   gz(idx_bytes(np.zeros(10000), 0x801)[:-5]),
                   'holds 9995 bytes of data, expected 10000'),
    'label out of range': ('t10k-labels-idx1-ubyte.gz',
                           gz(idx_bytes(np.full(10000, 12), 0x801)),
                           'label 12; labels must be 0-9'),
}


@pytest.mark.parametrize('case', list(BAD))
def test_bad_file_messages(case, good, tmp_path):
    name, content, message = BAD[case]
    if content is None:
        content = (good / name).read_bytes()[:100000]
    elif content == 'flip-crc':
        raw = bytearray((good / name).read_bytes())
        raw[-8] ^= 0x01
        content = bytes(raw)
    folder = copy_with(good, tmp_path / 'bad', name, content)
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    with pytest.raises(DataError, match=message) as err:
        data.load_arrays(root=folder)
    text = str(err.value)
    assert name in text and 'never overwrites it' in text
    # a file under root is never replaced, and nothing is added
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before


def test_bad_debian_file_says_reinstall(good, tmp_path, monkeypatch):
    folder = copy_with(good, tmp_path / 'deb', 'train-labels-idx1-ubyte.gz',
                       b'garbage!')
    monkeypatch.setattr(data, 'DEBIAN_DIR', folder)
    with pytest.raises(DataError, match='apt-get install --reinstall'):
        data.load_arrays()


def test_replaced_file_is_reread(good, tmp_path):
    folder = copy_with(good, tmp_path / 'f', 'x', b'')
    (folder / 'x').unlink()
    assert data.load_arrays(root=folder)[1][1][0] == 0
    write_folder(folder, labels_offset=4)
    assert data.load_arrays(root=folder)[1][1][0] == 4


class Server:
    """A loopback HTTP server serving one folder, with failure modes."""

    def __init__(self, folder):
        self.folder, self.mode, self.requests = Path(folder), 'ok', []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = (server.folder / self.path.lstrip('/')).read_bytes()
                if server.mode == 'error':
                    self.send_error(500, 'Internal Server Error')
                    return
                if server.mode == 'html':
                    body = b'<html>Access denied</html>'
                self.send_response(200)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                if server.mode == 'truncated':
                    body = body[:len(body) // 3]
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                     Handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_port}/'
        threading.Thread(target=self.httpd.serve_forever,
                         daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def content_sha256(folder):
    """SHA-256 of each file's decompressed bytes, by file name."""
    return {name: hashlib.sha256(gzip.decompress(
        (Path(folder) / name).read_bytes())).hexdigest()
        for name in data.FILES}


@pytest.fixture
def server(good, monkeypatch):
    s = Server(good)
    monkeypatch.setattr(data, 'BASE_URL', s.url)
    # the files served are the tests' own, so they are what is published
    monkeypatch.setattr(data, 'SHA256', content_sha256(good))
    yield s
    s.close()


def test_download_into_cache(server):
    (Xtr, _), (_, yte) = data.load_arrays()
    assert Xtr.shape == (60000, 28, 28) and yte[11] == 1
    assert sorted(f.name for f in data.cache_dir().iterdir()) == \
        sorted(data.FILES)
    assert len(server.requests) == 4
    data._load_folder.cache_clear()
    data.load_arrays()                   # found now: nothing downloaded
    assert len(server.requests) == 4


@pytest.mark.parametrize('mode, message', [
    ('error', 'HTTP 500'),
    ('truncated', 'connection closed before the end'),
    ('html', r'amazonaws|127\.0\.0\.1.* is not a gzip file.*Nothing was kept'),
])
def test_failed_download_leaves_nothing(server, mode, message):
    server.mode = mode
    with pytest.raises(DataError, match=message) as err:
        data.load_arrays()
    assert 'apt-get install dataset-fashion-mnist' in str(err.value)
    cache = data.cache_dir()
    assert not cache.exists() or list(cache.iterdir()) == []


def test_download_of_other_content_is_refused(server, tmp_path):
    # valid IDX files, but not the published ones (labels shifted by one)
    server.folder = write_folder(tmp_path / 'other', labels_offset=1)
    with pytest.raises(DataError, match=r'http://127\.0\.0\.1:\d+/'
                       r'train-labels-idx1-ubyte\.gz holds other content '
                       r'than Zalando published: SHA-256 [0-9a-f]{64}, '
                       r'expected [0-9a-f]{64}\..*Nothing was kept'):
        data.load_arrays()
    # the first file matched (images are the same) and was kept; the
    # temporary file of the mismatch is gone
    assert [f.name for f in data.cache_dir().iterdir()] == [
        'train-images-idx3-ubyte.gz']


def test_no_download_when_found(good, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError('downloaded although the files were found')
    monkeypatch.setattr(data.urllib.request, 'urlopen', refuse)
    assert data.load_arrays(root=good)[0][0].shape[0] == 60000


def test_cli_reports_location(good, monkeypatch, capsys):
    monkeypatch.setenv('FASHION_MNIST_DIR', str(good))
    assert data.main() == 0
    assert 'verified' in capsys.readouterr().out
    monkeypatch.delenv('FASHION_MNIST_DIR')
    assert data.main(where=True) == 1


def test_text_labels():
    assert data.get_fashion_mnist_labels([0, 9, 5]) == \
        ['t-shirt', 'ankle boot', 'sandal']


def test_bad_arguments(good):
    with pytest.raises(ValueError, match='batch_size must be a positive'):
        data.load_data_fashion_mnist(0, root=good)
    with pytest.raises(ValueError, match='resize must be a positive'):
        data.load_data_fashion_mnist(8, resize=-3, root=good)
    with pytest.raises(ValueError, match='at least 1 example'):
        data.load_data_fashion_mnist(8, root=good, subset=(0, 10))


def test_subset_smaller_than_a_batch(good):
    # the last partial batch rolls over, so an epoch would hold no batch
    with pytest.raises(ValueError, match=r'the training subset has 20 '
                       r'examples, fewer than one batch of 32.*'
                       r'batch_size=20 or less'):
        data.load_data_fashion_mnist(32, root=good, subset=(20, 10))
    # the test loader keeps its partial batch: a small test set is fine
    train_iter, test_iter = data.load_data_fashion_mnist(
        32, root=good, subset=(32, 10))
    assert len(train_iter) == 1 and len(test_iter) == 1


def test_real_debian_copy_when_installed():
    """The Debian package's files pass every content check."""
    real = Path('/usr/share/datasets/fashion-mnist')
    if not real.is_dir():
        if os.environ.get('CI') == 'true':
            pytest.fail('CI must install dataset-fashion-mnist (make setup)')
        pytest.skip('dataset-fashion-mnist is not installed here')
    (Xtr, ytr), (Xte, yte) = data._load_folder(str(real), 'debian', ())
    # the checksums a download is held to are those of this copy's content
    assert data.SHA256 == content_sha256(real)
    assert Xtr.shape == (60000, 28, 28) and Xte.shape == (10000, 28, 28)
    assert np.bincount(ytr).tolist() == [6000] * 10
    assert np.bincount(yte).tolist() == [1000] * 10
