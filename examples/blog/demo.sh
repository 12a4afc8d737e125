#!/bin/sh
# The example blog end to end, on a SQLite file of its own (instance/demo.sqlite, reset first).
#
#   PYTHON=/path/to/venv/bin/python examples/blog/demo.sh
#
# PYTHON must have flask-script-hub, flask-script-hub-db and flask-script-hub-migrate installed
# (the repository's Makefile makes such a virtual environment). Any failing step stops the demo
# with that step's exit status.
set -eu

PYTHON=${PYTHON:-python}
cd "$(dirname "$0")"
mkdir -p instance
rm -f instance/demo.sqlite
DATABASE_URL="sqlite:///$(pwd)/instance/demo.sqlite"
export DATABASE_URL
unset FLASK_CONFIG FLASK_SCRIPT_HUB_DISABLE_PLUGIN_AUTOLOAD FLASK_SCRIPT_HUB_DISABLE_PLUGINS

step() {
    printf '\n$ python manage.py%s\n' "${*:+ $*}"
    "$PYTHON" manage.py "$@"
}

step                                        # commands and plugin namespaces
step plugins                                # installed plugins, their distributions and state
step migrate upgrade                        # apply the migrations to the new database
step db create                              # nothing to do: the migrations made every table
step db populate --default-data --sample-data
step migrate current
step users list
printf '\n$ printf ... | python manage.py users add dave --email dave@example.com --role editor\n'
printf 'correct horse\ncorrect horse\n' |
    "$PYTHON" manage.py users add dave --email dave@example.com --role editor
step stats --drafts
printf '\nThe demo ran to the end.\n'
