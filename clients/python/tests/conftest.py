import os
import sys

# The client under test is this checkout's, installed or not.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from fixtures import mona, rita, server  # noqa: E402,F401  (fixtures, by name)
