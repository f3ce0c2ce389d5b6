#!/bin/sh
# book.sh - build the book and the API reference with Doxygen into build/book, after
# checking that the book and the code agree on every snippet marker.
#
# usage: book.sh   (run from the top of the tree by 'make book')
#
# Code reaches the book only through '\snippet FILE NAME' and a pair of markers around
# the lines in FILE: '/* [NAME] */' or '// [NAME]' in C, '# [NAME]' in assembly, shell
# and Makefiles. Before Doxygen runs, this script fails when
#   - a \snippet in a page names a file that does not exist, or a marker that is not
#     in that file exactly twice (Doxygen's rule),
#   - a marker in a source under chapters/ or common/ is used by no page,
#   - a marker appears an odd number of times in its file.
# The inspector's screen for chapter 3 is captured from the build (book-screens.sh).
# Doxygen then runs with WARN_AS_ERROR = YES (a broken \dot figure fails it too), and
# book-check.sh opens the result in headless Chromium. Exits 0 only when all of it passed.
set -u

[ -f book/Doxyfile ] || { echo "book: run me from the top of the stepvm tree" >&2; exit 1; }
command -v doxygen >/dev/null || { echo "book: doxygen is not installed (make deps)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Every marker line in the sources: "FILE NAME", one a line.
find chapters common -type f \( -name '*.c' -o -name '*.h' -o -name '*.ld' -o -name '*.S' \
    -o -name '*.sh' -o -name '*.mk' -o -name Makefile \) | sort | while read -r f; do
    case $f in
    *.c | *.h | *.ld) style=c ;;
    *) style=hash ;;
    esac
    awk -v f="$f" -v style="$style" '
        style == "c" && /^[ \t]*\/\* \[[A-Za-z0-9_.-]+\] \*\/[ \t]*$/ ||
        style == "c" && /^[ \t]*\/\/ \[[A-Za-z0-9_.-]+\]/ ||
        style == "hash" && /^[ \t]*# \[[A-Za-z0-9_.-]+\]([ \t]|$)/ {
            match($0, /\[[A-Za-z0-9_.-]+\]/)
            print f, substr($0, RSTART + 1, RLENGTH - 2)
        }' "$f"
done > "$tmp/markers"

# Every \snippet in the pages, outside fenced code blocks: "PAGE:LINE FILE NAME".
find book -name '*.md' | sort | while read -r page; do
    awk -v page="$page" '
        /^[ \t]*(```|~~~)/ { fenced = !fenced; next }
        !fenced && /^[ \t]*\\snippet/ {
            sub(/^[ \t]*\\snippet[a-z]*(\{[^}]*\})?[ \t]+/, "")
            file = $1
            sub(/^[^ \t]+[ \t]+/, "")
            sub(/[ \t]+$/, "")
            print page ":" NR, file, $0
        }' "$page"
done > "$tmp/snippets"

# A marker that comes an odd number of times has lost its partner.
sort "$tmp/markers" | uniq -c | while read -r n f name; do
    [ $((n % 2)) -eq 0 ] ||
        echo "$f: marker [$name] appears $n times; markers come in pairs around the lines"
done > "$tmp/odd"

# A marker no page shows is code the book has lost track of.
awk '{ print $2, $3 }' "$tmp/snippets" | sort -u > "$tmp/used"
sort -u "$tmp/markers" | while read -r f name; do
    grep -qxF "$f $name" "$tmp/used" ||
        echo "$f: marker [$name] is used by no book page (add '\\snippet $f $name' to one, or remove the markers)"
done > "$tmp/unused"

# A page must name a file that exists and a marker that is in it exactly twice.
while read -r where f name; do
    if [ ! -f "$f" ]; then
        echo "$where: \\snippet names $f, which does not exist"
        continue
    fi
    n=$(grep -oF "[$name]" "$f" | wc -l)
    [ "$n" -eq 2 ] ||
        echo "$where: \\snippet $f $name: the marker [$name] appears $n times in $f, Doxygen needs exactly 2"
done < "$tmp/snippets" > "$tmp/dangling"

# Doxygen reads the pages listed in the Doxyfile's INPUT, in reading order; a page left
# out of that list would vanish from the book while its snippets still count as used.
for page in book/*.md; do
    grep -q "^[ \t]*\(INPUT[ \t]*=[ \t]*\)\{0,1\}$page[ \t\\]*$" book/Doxyfile ||
        echo "$page: not in book/Doxyfile's INPUT, so not in the book (add it where it is read)"
done > "$tmp/unlisted"

cat "$tmp/odd" "$tmp/unused" "$tmp/dangling" "$tmp/unlisted" | sed 's/^/book: /' >&2
if [ -s "$tmp/odd" ] || [ -s "$tmp/unused" ] || [ -s "$tmp/dangling" ] || [ -s "$tmp/unlisted" ]; then
    echo "book: the pages, the Doxyfile and the code disagree (see above); nothing was built" >&2
    exit 1
fi

rm -rf build/book
mkdir -p build/book
# Chapter 3 shows a real screen of the inspector, captured from the build (\verbinclude).
sh common/scripts/book-screens.sh build/book/gen || {
    echo "book: could not capture the inspector's screen for chapter 3 (make build first)" >&2
    exit 1
}
if ! doxygen book/Doxyfile; then
    echo "book: doxygen failed (warnings count as errors: WARN_AS_ERROR = YES)" >&2
    exit 1
fi

# Each listing's caption (book-filter.sh) links its file; point the link at the listing's
# first line in Doxygen's source page, and copy the files Doxygen does not read (scripts,
# tests) under html/src/ so that their links open them too.
html=build/book/html
for page in "$html"/*.html; do
    grep -q 'class="snippet-from"' "$page" || continue
    grep -o '<div class="snippet-from"><a class="el" href="[^"#]*\.html">[^<]*</a>, lines [0-9]*' "$page" |
        sed 's/.*href="\([^"]*\)\.html">[^<]*<\/a>, lines \([0-9]*\)/\1 \2/' | sort -u |
        while read -r base line; do
            [ -f "$html/${base}_source.html" ] || continue
            anchor=$(printf 'l%05d' "$line")
            sed -i "s|<div class=\"snippet-from\"><a class=\"el\" href=\"$base\.html\">\([^<]*\)</a>, lines $line-|<div class=\"snippet-from\"><a class=\"el\" href=\"${base}_source.html#$anchor\">\1</a>, lines $line-|g" "$page"
        done
    grep -o '<div class="snippet-from"><a href="src/[^"]*"' "$page" | sed 's/.*href="src\///; s/\.txt"$//' |
        while read -r f; do
            mkdir -p "$html/src/$(dirname "$f")"
            cp "$f" "$html/src/$f.txt"
        done
done
# What a reader sees, in a browser: the tree, the listings, the figures.
sh common/scripts/book-check.sh || exit 1
echo "book: build/book/html/index.html"
