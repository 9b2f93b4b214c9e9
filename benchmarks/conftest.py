"""The benchmark suite (``make bench``): speed and memory targets, kept out of the unit suite on purpose."""

from tests.conftest import *  # noqa: F403  (the Origo data set and the personas)
