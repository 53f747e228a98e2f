"""python -m kiosk.agent [agent options] | python -m kiosk.agent calibrate [options]"""

import sys

from .cli import calibrate_main, main

if len(sys.argv) > 1 and sys.argv[1] == "calibrate":
    sys.exit(calibrate_main(sys.argv[2:]))
sys.exit(main(sys.argv[1:]))
