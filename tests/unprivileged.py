"""Running newsbot as a process that file modes apply to, even when the suite runs as root.

Root reads any file, so a test of "cannot be read" must not run the command as plain root. Switching to
another account is not an option either: the interpreter may live where that account cannot reach it
(a venv linked into root's home). So, as root, the child drops the two capabilities that let root ignore
file modes (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from its bounding set before it runs newsbot: the
kernel then refuses it what the modes refuse, as for any other user. Not as root, it runs as it is."""
from __future__ import annotations

import os
import subprocess
import sys

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2
PR_CAPBSET_DROP = 24


def _without_permission_bypass() -> None:  # pragma: no cover (runs in the child before exec)
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_newsbot(args, *, env: dict, cwd) -> subprocess.CompletedProcess:
    """`python -m bot ARGS…` as a process that file modes apply to; its output as text."""
    drop = _without_permission_bypass if os.geteuid() == 0 else None
    return subprocess.run([sys.executable, "-m", "bot", *args], env={**os.environ, **env}, cwd=cwd,
                          capture_output=True, text=True, preexec_fn=drop, timeout=300)
