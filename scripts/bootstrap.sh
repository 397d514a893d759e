# Sourced by scripts/serve and scripts/test: makes .venv with Python 3.11 and installs
# the project into it, again only when pyproject.toml has changed since the last install.
# Usage: source scripts/bootstrap.sh [runtime|dev]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extras=${1:-runtime}

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.11 python3 python; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      python=$candidate; break
    fi
  done
fi
if [ -z "$python" ]; then
  echo "MeetingOps needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $python"
  "$python" -m venv .venv
fi
stamp=".venv/.installed-$extras-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing MeetingOps ($extras) into .venv"
  .venv/bin/python -m pip install --quiet --upgrade pip
  if [ "$extras" = dev ]; then
    .venv/bin/python -m pip install --quiet -e ".[dev]"
  else
    .venv/bin/python -m pip install --quiet -e .
  fi
  rm -f .venv/.installed-"$extras"-*
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
