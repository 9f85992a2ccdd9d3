"""Fashion-MNIST: find it, verify it, download it if need be, batch it.

The four files are looked for, in order, in

1. the ``root`` argument,
2. ``$FASHION_MNIST_DIR``,
3. MXNet's cache ``~/.mxnet/datasets/fashion-mnist``,
4. Debian's ``/usr/share/datasets/fashion-mnist``
   (``apt-get install dataset-fashion-mnist``),

and only when none of them holds all four are they downloaded from
Zalando's published URLs into the cache.

Every file is checked by content (IDX magic number, dimensions, counts,
label range). A download is also checked for identity, since Zalando's
URLs are plain HTTP: the SHA-256 of its decompressed content must be the
published data's. The hashes are of the content, not of the .gz files,
because Debian recompressed its copy: its gz bytes differ from the
originals while the content is identical.
"""
import functools
import gzip
import hashlib
import http.client
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

TEXT_LABELS = ('t-shirt', 'trouser', 'pullover', 'dress', 'coat',
               'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot')

# name -> (IDX magic number, number of items); images are 28x28.
FILES = {
    'train-images-idx3-ubyte.gz': (0x00000803, 60000),
    'train-labels-idx1-ubyte.gz': (0x00000801, 60000),
    't10k-images-idx3-ubyte.gz': (0x00000803, 10000),
    't10k-labels-idx1-ubyte.gz': (0x00000801, 10000),
}
# SHA-256 of each file's decompressed content, measured on Debian's copy
# (dataset-fashion-mnist 0.0~git20200523.55506a9-1); a download must
# match.
SHA256 = {
    'train-images-idx3-ubyte.gz':
        'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
    'train-labels-idx1-ubyte.gz':
        'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
    't10k-images-idx3-ubyte.gz':
        '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
    't10k-labels-idx1-ubyte.gz':
        '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
}
BASE_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'
DEBIAN_DIR = Path('/usr/share/datasets/fashion-mnist')
APT_HINT = 'sudo apt-get install dataset-fashion-mnist'


class DataError(RuntimeError):
    """Fashion-MNIST is missing or damaged; the message says how to fix it."""


def cache_dir():
    """Return MXNet's dataset cache folder for Fashion-MNIST."""
    base = os.environ.get('MXNET_HOME', os.path.join('~', '.mxnet'))
    return Path(base).expanduser() / 'datasets' / 'fashion-mnist'


def _fix_hint(path, origin):
    """Say how to repair a bad file, which depends on where it came from."""
    if origin == 'root':
        return (f'{path} is in a folder you passed as root; cnnbook never '
                'overwrites it. Replace the file with a good copy, or pass '
                'another root.')
    if origin == 'env':
        return (f'FASHION_MNIST_DIR points at {path.parent}. Replace the '
                'file, or unset the variable to use another copy.')
    if origin == 'download':
        return ('Nothing was kept. Run again later, or install the data '
                f'instead ({APT_HINT}) or set FASHION_MNIST_DIR.')
    if origin == 'debian':
        return ('Reinstall the package: sudo apt-get install --reinstall '
                'dataset-fashion-mnist')
    return f'Delete {path} and run again: it will be downloaded afresh.'


def _decompress(path, shown, fix):
    """The bytes of a gzip file; a DataError says what is wrong with it."""
    try:
        with gzip.open(path, 'rb') as f:
            return f.read()
    except gzip.BadGzipFile as e:
        # gzip raises BadGzipFile both for a file that is no gzip at all
        # and for a failed CRC or length check; the two need other fixes
        with open(path, 'rb') as f:
            is_gzip = f.read(2) == b'\x1f\x8b'
        if not is_gzip:
            raise DataError(f'{shown} is not a gzip file (is it an HTML '
                            'error page from a failed download?). '
                            f'{fix}') from None
        raise DataError(f'{shown} fails its gzip check ({e}): the file is '
                        'damaged, by a bit changed in transfer or on '
                        f'disk. {fix}') from None
    except EOFError:
        raise DataError(f'{shown} is truncated: its gzip stream ends '
                        f'early. {fix}') from None
    except zlib.error as e:
        raise DataError(f'{shown} is damaged: its compressed data cannot be '
                        f'decoded ({e}). {fix}') from None


def read_idx(path, origin='cache', name=None, source=None, sha256=None):
    """Read and check one gzipped IDX file; return a uint8 numpy array.

    Images come back as (N, 28, 28), labels as (N,). ``name`` says which of
    the four files this is (default: the file's own name), ``source`` how to
    name it in messages (default: its path); ``sha256``, if given, is the
    SHA-256 its decompressed content must have. Every check names the file
    and says how to fix it.
    """
    path = Path(path)
    magic, count = FILES[name or path.name]
    fix = _fix_hint(path, origin)
    shown = source or path
    raw = _decompress(path, shown, fix)
    if sha256 is not None:
        found = hashlib.sha256(raw).hexdigest()
        if found != sha256:
            raise DataError(f'{shown} holds other content than Zalando '
                            f'published: SHA-256 {found}, expected '
                            f'{sha256}. {fix}')
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f'{shown} is too short to hold an IDX header. {fix}')
    found = int.from_bytes(raw[:4], 'big')
    if found != magic:
        raise DataError(f'{shown} has IDX magic number {found:#010x}, '
                        f'expected {magic:#010x}: it is not a Fashion-MNIST '
                        f'{"image" if ndim == 3 else "label"} file. {fix}')
    dims = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big')
                 for i in range(ndim))
    expected = (count, 28, 28)[:ndim]
    if dims != expected:
        raise DataError(f'{shown} holds an array of shape {dims}, expected '
                        f'{expected}. {fix}')
    data = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if data.size != int(np.prod(dims)):
        raise DataError(f'{shown} holds {data.size} bytes of data, expected '
                        f'{int(np.prod(dims))}: it is truncated. {fix}')
    data = data.reshape(dims)
    if ndim == 1 and data.max() > 9:
        raise DataError(f'{shown} has label {int(data.max())}; labels must '
                        f'be 0-9. {fix}')
    return data


def _complete(folder):
    """True if ``folder`` holds all four files."""
    return all((Path(folder) / name).is_file() for name in FILES)


def find_fashion_mnist(root=None):
    """Return (folder, origin) of the first place that holds all four files.

    Returns None when no place has them. A folder named explicitly (``root``
    or ``$FASHION_MNIST_DIR``) that does not exist or lacks a file is an
    error rather than silently skipped, since it is almost always a typo
    or an unfinished copy.
    """
    for origin, folder in (('root', root),
                           ('env', os.environ.get('FASHION_MNIST_DIR'))):
        if folder:
            # the first folder named decides: skipping it for another
            # copy would hide the mistake
            folder = Path(folder).expanduser()
            what = 'root' if origin == 'root' else 'FASHION_MNIST_DIR'
            unset = (f'leave it unset to use the cache or Debian\'s copy '
                     f'({APT_HINT})')
            if not folder.is_dir():
                raise DataError(f'{what}={folder} is not a directory. Point '
                                'it at the folder with the four '
                                f'Fashion-MNIST .gz files, or {unset}.')
            missing = [n for n in FILES if not (folder / n).is_file()]
            if missing:
                raise DataError(f'{what}={folder} lacks {", ".join(missing)}'
                                '. A folder you name must hold all four '
                                f'Fashion-MNIST files ({", ".join(FILES)}).'
                                f' Add the missing ones, or {unset}.')
            return folder, origin
    for folder, origin in ((cache_dir(), 'cache'), (DEBIAN_DIR, 'debian')):
        if _complete(folder):
            return folder, origin
    return None


def download_fashion_mnist(dest=None, base_url=None, timeout=60):
    """Download the four files into ``dest`` (the cache by default).

    Each file is written to a temporary file beside its target, verified
    with :func:`read_idx`, and only then renamed, so ``dest`` never holds a
    half-written or unverified file. Files already present are kept.
    """
    dest = Path(dest) if dest else cache_dir()
    base_url = base_url or BASE_URL
    dest.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        target = dest / name
        if target.is_file():
            continue
        url = base_url.rstrip('/') + '/' + name
        fd, tmp = tempfile.mkstemp(dir=dest, prefix='.' + name,
                                   suffix='.part')
        try:
            with os.fdopen(fd, 'wb') as out:
                try:
                    with urllib.request.urlopen(url, timeout=timeout) as r:
                        shutil.copyfileobj(r, out)
                        size = r.headers.get('Content-Length')
                    # urllib does not always notice a body cut short.
                    if size is not None and out.tell() != int(size):
                        raise http.client.IncompleteRead(b'', int(size))
                except urllib.error.HTTPError as e:
                    raise DataError(f'downloading {url} failed: HTTP '
                                    f'{e.code} {e.reason}. Install the data '
                                    f'instead ({APT_HINT}) or set '
                                    'FASHION_MNIST_DIR.') from None
                except http.client.IncompleteRead:
                    raise DataError(f'downloading {url} failed: the '
                                    f'connection closed before the end of the '
                                    'file. Run again, or install the data '
                                    f'instead ({APT_HINT}).') from None
                except (urllib.error.URLError, OSError) as e:
                    reason = getattr(e, 'reason', e)
                    raise DataError(f'downloading {url} failed: {reason}. '
                                    f'Without internet, install the data '
                                    f'({APT_HINT}) or set FASHION_MNIST_DIR '
                                    'to a folder with the four .gz files.'
                                    ) from None
            read_idx(tmp, 'download', name=name, source=url,
                     sha256=SHA256[name])
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return dest


@functools.lru_cache(maxsize=4)
def _load_folder(folder, origin, stamp):
    """Read all four files of one folder.

    Cached, since decompressing takes about a second; ``stamp`` (sizes and
    modification times) makes a replaced file be read afresh.
    """
    arrays = [read_idx(Path(folder) / name, origin) for name in FILES]
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


def load_arrays(root=None):
    """Return ((train_images, train_labels), (test_images, test_labels)).

    Images are uint8 (N, 28, 28) and labels uint8 (N,), as numpy arrays.
    """
    found = find_fashion_mnist(root)
    if found is None:
        try:
            download_fashion_mnist()
        except DataError as e:
            places = ', '.join(str(p) for p in (cache_dir(), DEBIAN_DIR))
            raise DataError(f'Fashion-MNIST was not found (looked in root, '
                            f'$FASHION_MNIST_DIR, {places}) and could not '
                            f'be downloaded: {e}') from None
        found = cache_dir(), 'cache'
    folder, origin = found
    stamp = tuple((s.st_size, s.st_mtime_ns) for s in
                  (os.stat(Path(folder) / name) for name in FILES))
    return _load_folder(str(folder), origin, stamp)


class BatchResize:
    """Batchify function: stack images, scale to [0, 1], resize the batch.

    gluon's ``transforms.Resize`` works one image at a time; one
    ``BilinearResize2D`` call on the whole batch is much cheaper at 224.
    """

    def __init__(self, resize=None, flip=False):
        self.resize = resize
        self.flip = flip

    def __call__(self, samples):
        import mxnet as mx
        images, labels = zip(*samples)
        images = np.stack(images)
        if self.flip:
            # each image mirrored left-right with probability 1/2, drawn
            # from numpy's global generator (the one set_seed seeds, as
            # the loader's shuffle is)
            mirror = np.random.random(len(images)) < 0.5
            images[mirror] = images[mirror, :, ::-1]
        X = mx.nd.array(images[:, None], dtype='float32') / 255
        if self.resize and self.resize != X.shape[-1]:
            X = mx.nd.contrib.BilinearResize2D(X, height=self.resize,
                                               width=self.resize)
        y = mx.nd.array(np.asarray(labels), dtype='int32')
        if mx.util.is_np_array():
            return X.as_np_ndarray(), y.as_np_ndarray()
        return X, y

    def __repr__(self):
        return f'BatchResize(resize={self.resize}, flip={self.flip})'


def _subset(images, labels, n, seed):
    """A fixed random subset of ``n`` examples (all of them if n is None)."""
    if n is None or n >= len(labels):
        return images, labels
    if n < 1:
        raise ValueError(f'a subset needs at least 1 example, got {n}')
    idx = np.sort(np.random.default_rng(seed).permutation(len(labels))[:n])
    return images[idx], labels[idx]


def load_data_fashion_mnist(batch_size, resize=None, root=None, subset=None,
                            flip=False):
    """Return (train_iter, test_iter), gluon DataLoaders over Fashion-MNIST.

    Args:
        batch_size: examples per batch.
        resize: side length to resize to (None keeps 28).
        root: a folder with the four .gz files (optional, see module doc).
        subset: None for all 60k/10k examples, or (n_train, n_test) for a
            fixed random subset.
        flip: mirror each training image left-right with probability
            1/2 (light augmentation; the test images are never flipped).

    Batches are X float32 in [0, 1] of shape (B, 1, H, W) and y int32.
    The training loader shuffles and rolls the last partial batch over
    into the next epoch, so every batch has the same shape.
    """
    from mxnet import gluon
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f'batch_size must be a positive integer, got '
                         f'{batch_size!r}')
    if resize is not None and (not isinstance(resize, int) or resize < 1):
        raise ValueError(f'resize must be a positive integer or None, got '
                         f'{resize!r}')
    (Xtr, ytr), (Xte, yte) = load_arrays(root)
    n_train, n_test = subset if subset is not None else (None, None)
    Xtr, ytr = _subset(Xtr, ytr, n_train, seed=0)
    Xte, yte = _subset(Xte, yte, n_test, seed=1)
    if len(ytr) < batch_size:
        # 'rollover' carries a partial batch into the next epoch, so an
        # epoch of fewer examples than one batch would hold no batch at all
        raise ValueError(
            f'the training subset has {len(ytr)} examples, fewer than one '
            f'batch of {batch_size}: an epoch would hold no batch. Use a '
            f'subset of at least {batch_size} training examples, or '
            f'batch_size={len(ytr)} or less.')
    batchify = BatchResize(resize)
    train_iter = gluon.data.DataLoader(
        gluon.data.ArrayDataset(Xtr, ytr), batch_size, shuffle=True,
        last_batch='rollover', batchify_fn=BatchResize(resize, flip))
    test_iter = gluon.data.DataLoader(
        gluon.data.ArrayDataset(Xte, yte), batch_size, shuffle=False,
        batchify_fn=batchify)
    return train_iter, test_iter


def get_fashion_mnist_labels(labels):
    """Return the text labels for numeric labels."""
    return [TEXT_LABELS[int(i)] for i in np.asarray(
        labels.asnumpy() if hasattr(labels, 'asnumpy') else labels)]


def main(where=False):
    """Say where the data is and verify it; download it if absent.

    ``where``: only say whether a copy is found. Returns the exit status.
    """
    found = find_fashion_mnist()
    if found is None and where:
        print('Fashion-MNIST: not found', file=sys.stderr)
        return 1
    try:
        (Xtr, _), (Xte, _) = load_arrays()
    except DataError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    folder, origin = find_fashion_mnist()
    print(f'Fashion-MNIST: {len(Xtr)} train / {len(Xte)} test images, '
          f'verified, in {folder} ({origin})')
    return 0
