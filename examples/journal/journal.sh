#!/bin/sh
# journal: open today's entry and the retrospective in $EDITOR, both locked for the whole editing session.
#
#   JOURNAL_DIR=~/journal EDITOR=vi examples/journal/journal.sh
#
# A second journal started meanwhile stops at once (status 1) with a message naming the first one's pid,
# command, host and start; it never waits and never edits. The locks are released when the editor exits,
# and by the OS if this process dies, even by SIGKILL.
#
# LOCKSMITH is the locksmith command line: by default this repository's bin/locksmith.cjs; once the
# package is installed, plain `locksmith`.
set -eu

if [ -z "${JOURNAL_LOCKED:-}" ]; then
  dir=${JOURNAL_DIR:-$HOME/journal}
  mkdir -p "$dir"
  today="$dir/$(date +%Y-%m-%d).md"
  retro="$dir/retrospective.md"
  if [ -n "${LOCKSMITH:-}" ]; then
    set -f
    # shellcheck disable=SC2086 # a command line: split it into words
    set -- $LOCKSMITH
    set +f
  else
    set -- node "$(dirname "$0")/../../bin/locksmith.cjs"
  fi
  # Lock both files (all or nothing, fail at once if either is busy), then run this script again as
  # the locked command: everything below happens under the locks.
  JOURNAL_LOCKED=1 exec "$@" run --nonblock "$today" "$retro" -- sh "$0" "$today" "$retro"
fi

# Under the locks: nobody else is editing these files.
for file in "$@"; do
  [ -e "$file" ] || printf '# %s\n\n' "$(basename "$file" .md)" >"$file"
done
# $EDITOR may carry arguments ("code --wait"), so it is split into words, as git does.
set -f
# shellcheck disable=SC2086
exec ${EDITOR:-vi} "$@"
