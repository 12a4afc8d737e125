#!/bin/sh
# The example blog end to end, on a SQLite file of its own (instance/demo.sqlite, reset first).
#
#   PYTHON=/path/to/venv/bin/python examples/blog/demo.sh
#
# PYTHON must have flask-script-hub, flask-script-hub-db, flask-script-hub-migrate and
# flask-script-hub-rq installed (the repository's Makefile makes such a virtual environment), and
# a Redis server must answer on 127.0.0.1:6379 (the rq steps). Any failing step stops the demo
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
# the rq plugin: a command line put on a queue here, run by a worker (on any machine with the
# same code and config; here the same one), then the data it loaded
printf '\n$ python manage.py rq enqueue --queue blog-imports -- db populate imports/users.csv\n'
enqueued=$("$PYTHON" manage.py rq enqueue --queue blog-imports -- db populate imports/users.csv)
echo "$enqueued"                            # enqueued job <id> on queue 'blog-imports': ...
step rq worker --burst blog-imports
step rq result "$(echo "$enqueued" | cut -d' ' -f3)"   # the command's output, kept by RQ
step users list
printf '\nThe demo ran to the end.\n'
