"""Networks from earlier sections, used by the chapters for comparison.

The models a chapter teaches are written out in its notebook; these are
the ones it only compares against.
"""

def alexnet(num_classes=10):
    """AlexNet as in d2l section 5.6 (Krizhevsky et al., 2012)."""
    from mxnet.gluon import nn
    net = nn.HybridSequential()
    net.add(nn.Conv2D(96, kernel_size=11, strides=4, activation='relu'),
            nn.MaxPool2D(pool_size=3, strides=2),
            nn.Conv2D(256, kernel_size=5, padding=2, activation='relu'),
            nn.MaxPool2D(pool_size=3, strides=2),
            nn.Conv2D(384, kernel_size=3, padding=1, activation='relu'),
            nn.Conv2D(384, kernel_size=3, padding=1, activation='relu'),
            nn.Conv2D(256, kernel_size=3, padding=1, activation='relu'),
            nn.MaxPool2D(pool_size=3, strides=2),
            nn.Dense(4096, activation='relu'), nn.Dropout(0.5),
            nn.Dense(4096, activation='relu'), nn.Dropout(0.5),
            nn.Dense(num_classes))
    return net


def vgg11(num_classes=10):
    """VGG-11 as in d2l section 5.7 (Simonyan and Zisserman, 2014)."""
    from mxnet.gluon import nn
    net = nn.HybridSequential()
    for num_convs, channels in ((1, 64), (1, 128), (2, 256), (2, 512),
                                (2, 512)):
        for _ in range(num_convs):
            net.add(nn.Conv2D(channels, kernel_size=3, padding=1,
                              activation='relu'))
        net.add(nn.MaxPool2D(pool_size=2, strides=2))
    net.add(nn.Dense(4096, activation='relu'), nn.Dropout(0.5),
            nn.Dense(4096, activation='relu'), nn.Dropout(0.5),
            nn.Dense(num_classes))
    return net
