# Sourced by scripts/serve and scripts/test: make .venv with the project installed, once.
# EXTRA names the optional dependency group to install with it (scripts/test sets "test").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
extra="${EXTRA:-}"
stamp="$ROOT/.venv/.installed${extra:+-$extra}"
if [ ! -x "$ROOT/.venv/bin/python" ]; then
    "$PY" -m venv "$ROOT/.venv"
fi
# Reinstall only when pyproject.toml changed since the last install.
if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    "$ROOT/.venv/bin/python" -m pip install --quiet --upgrade pip
    "$ROOT/.venv/bin/python" -m pip install --quiet -e "$ROOT${extra:+[$extra]}"
    touch "$stamp"
fi
