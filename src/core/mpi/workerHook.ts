/**
 * Keeping the lines of a multiprocessing run's processes apart.
 *
 * Every process of a multiprocessing run inherits the parent's stdout and stderr: without help
 * they all write into the same two pipes. An unbuffered Python (PYTHONUNBUFFERED, which the run
 * needs to show output as it happens) writes `print(x)` as two write(2) calls, `x` and then the
 * newline, so two workers printing at once give `worker 0 readyparent ready` and an empty line;
 * lines longer than the pipe's atomic size (4 KiB) interleave whatever the buffering.
 *
 * So a multiprocessing run of a Python program gets, as the MPI ranks do, one output file per
 * process: WORKER_HOOK is installed as `sitecustomize.py` in a directory put first on PYTHONPATH.
 * Python imports it at start-up in every process of the run: the first one (the program itself)
 * keeps the run's pipes; any other Python process started under it (spawn and forkserver children,
 * `subprocess` pythons) and every process forked from one (os.fork, the `fork` start method)
 * redirects its own stdout and stderr to `w<pid>.out|err` in HPCW_WORKER_DIR. A line can then
 * only hold what one process wrote. The hook then loads the `sitecustomize` it shadows, if any;
 * it never stops the program (any failure leaves the process as it was).
 */

/** The directory, under the run's rank directory, that holds the hook (put first on PYTHONPATH). */
export const WORKER_HOOK_DIR = 'py';

export const WORKER_HOOK = `# hpc-workbench: one output file per process of a multiprocessing run (see workerHook.ts).
import os as _hpcw_os


def _hpcw_install():
    directory = _hpcw_os.environ.get("HPCW_WORKER_DIR")
    if not directory:
        return

    def redirect():
        try:
            pid = _hpcw_os.getpid()
            for fd, ext in ((1, "out"), (2, "err")):
                path = _hpcw_os.path.join(directory, "w%d.%s" % (pid, ext))
                f = _hpcw_os.open(path, _hpcw_os.O_WRONLY | _hpcw_os.O_CREAT | _hpcw_os.O_APPEND, 0o600)
                _hpcw_os.dup2(f, fd)
                _hpcw_os.close(f)
        except OSError:
            pass

    main = _hpcw_os.environ.get("HPCW_MAIN_PID")
    if main is None:
        _hpcw_os.environ["HPCW_MAIN_PID"] = str(_hpcw_os.getpid())
    elif main != str(_hpcw_os.getpid()):
        redirect()
    _hpcw_os.register_at_fork(after_in_child=redirect)


def _hpcw_chain():
    import importlib.machinery
    import importlib.util
    import sys

    here = _hpcw_os.path.dirname(_hpcw_os.path.abspath(__file__))
    path = [p for p in sys.path if _hpcw_os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


try:
    _hpcw_install()
except Exception:
    pass
_hpcw_chain()
`;
