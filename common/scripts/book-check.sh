#!/bin/sh
# book-check.sh - open the built book in headless Chromium and check what a reader sees:
# the tree on the left and Related Pages list every page of the book in reading order,
# each page ends with its previous/next links, and a chapter shows its listings (the
# code itself, each with its caption) and its figures, not a '\snippet' or '\dot' line;
# every page draws all its figures, and chapter 3 shows the inspector's captured screen.
# Leaves screenshots of the index and of chapter 1 in build/book/screenshots/.
#
# usage: book-check.sh   (run by book.sh after Doxygen, from the top of the tree)
#
# Chromium runs the page's JavaScript (the tree is built by it); --dump-dom prints the
# page as it stands after loading. Exits 1 with one line per failed check.
set -u
html=build/book/html
shots=build/book/screenshots
chromium=$(command -v chromium || command -v chromium-browser) ||
    { echo "book-check: chromium is not installed (make book installs it)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
browse() { # browse MODE FILE [HEIGHT]: MODE is --dump-dom or --screenshot=PNG
    timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$tmp/profile" --window-size=1280,"${3:-900}" \
        --virtual-time-budget=1000 "$1" "file://$(pwd)/$html/$2" 2>/dev/null
}
# The visible text of a dumped page, without tags, entities or any white space, so that
# code can be compared with its source whatever Doxygen's markup around it.
text() {
    sed -e 's/<[^>]*>//g' -e 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&#39;/'"'"'/g' \
        -e 's/&#160;//g; s/&nbsp;//g; s/&amp;/\&/g' "$1" | tr -d ' \t\n\r'
}
fail() { echo "book-check: $*"; failed=1; }
failed=0

# The pages in reading order (book/Doxyfile's INPUT) and their titles.
pages=$(sed -n '/^INPUT[ \t]*=/,/[^\\]$/p' book/Doxyfile | tr -d '\\' | tr ' =\t' '\n\n\n' | grep '\.md$')
for p in $pages; do
    sed -n '1{s/^# *//; s/ *{#.*//; p}' "$p"
done > "$tmp/titles"

browse --dump-dom index.html > "$tmp/index.html"
browse --dump-dom pages.html > "$tmp/pages.html"
# The tree's entries, in order: the links inside div#nav-tree after the script built it.
tr '\n' ' ' < "$tmp/index.html" | sed 's/.*id="nav-tree"//; s/id="doc-content".*//' |
    grep -o '<a [^>]*>[^<]*</a>' |
    sed 's/<[^>]*>//g; s/&amp;/\&/g' > "$tmp/tree"
[ -s "$tmp/tree" ] || fail "index.html: the tree on the left is empty"
# Related Pages: the page links of its table, in order.
grep -o '<a class="el" href="[^"]*" target="_self">[^<]*</a>' "$tmp/pages.html" |
    sed 's/<[^>]*>//g; s/&amp;/\&/g' > "$tmp/related"

# Each list must hold the titles in reading order (the main page is not a related page).
in_order() { # in_order LIST FIRST_LINE_OF_TITLES NAME
    tail -n +"$2" "$tmp/titles" | while read -r title; do
        n=$(grep -nxF "$title" "$1" | head -n 1 | cut -d: -f1)
        [ -n "$n" ] || { echo "book-check: $3 does not list \"$title\""; continue; }
        [ "$n" -gt "${last:-0}" ] || echo "book-check: $3 lists \"$title\" out of reading order"
        last=$n
    done
}
in_order "$tmp/tree" 1 "the tree on the left" > "$tmp/order"
in_order "$tmp/related" 2 "Related Pages" >> "$tmp/order"
[ -s "$tmp/order" ] && { cat "$tmp/order"; failed=1; }

# Every page ends with its links to the previous and the next page.
n=0
for p in $pages; do
    n=$((n + 1))
    label=$(sed -n '1s/.*{#\([A-Za-z0-9_-]*\)}.*/\1/p' "$p")
    [ "$n" -eq 1 ] && label=index
    grep -q 'class="book-nav"' "$html/$label.html" 2>/dev/null ||
        fail "$label.html: no previous/next links at the end of the page"
done

# Chapter 1 as the browser shows it: every listing's code is there, and its caption.
chapter=book/ch01-bare-ioctl.md
browse --dump-dom ch01-bare-ioctl.html > "$tmp/chapter.html"
text "$tmp/chapter.html" > "$tmp/chapter.txt"
grep -qF '\snippet' "$tmp/chapter.txt" && fail "ch01-bare-ioctl.html shows a \\snippet line, not code"
grep -qF '\dot' "$tmp/chapter.txt" && fail "ch01-bare-ioctl.html shows a \\dot line, not a figure"
listings=$(grep -c '^\\snippet' "$chapter")
captions=$(grep -o 'class="snippet-from"' "$tmp/chapter.html" | wc -l)
[ "$captions" -eq "$listings" ] ||
    fail "ch01-bare-ioctl.html: $listings listings but $captions captions saying where they come from"
grep '^\\snippet' "$chapter" | while read -r _ f name; do
    # The lines between the markers, each of which must be on the page.
    awk -v key="[$name]" 'index($0, key) { inside = !inside; next } inside' "$f" |
        tr -d ' \t\r' | grep -v '^$' | while read -r line; do
            grep -qF -- "$line" "$tmp/chapter.txt" ||
                { echo "book-check: ch01-bare-ioctl.html: the listing $f [$name] lacks: $line"; break; }
        done
done > "$tmp/listings"
[ -s "$tmp/listings" ] && { head -n 5 "$tmp/listings"; failed=1; }
figures=$(grep -c '^\\dot' "$chapter")
drawn=$(grep -o '<div class="dotgraph">' "$tmp/chapter.html" | wc -l)
[ "$drawn" -eq "$figures" ] ||
    fail "ch01-bare-ioctl.html: $figures figures in the page, $drawn drawn"

# Every page draws each of its figures: an image of the graph Doxygen had dot make.
n=0
for p in $pages; do
    n=$((n + 1))
    label=$(sed -n '1s/.*{#\([A-Za-z0-9_-]*\)}.*/\1/p' "$p")
    [ "$n" -eq 1 ] && label=index
    want=$(grep -c '^\\dot' "$p")
    have=$(grep -o '<div class="dotgraph">' "$html/$label.html" | wc -l)
    [ "$have" -eq "$want" ] || fail "$label.html: $want figures in the page, $have drawn"
    for img in $(grep -o 'dot_inline_dotgraph_[0-9]*\.svg' "$html/$label.html" | sort -u); do
        [ -s "$html/$img" ] || fail "$label.html: figure $img is missing"
    done
done
# Chapter 3 shows the inspector's screen that book-screens.sh captured.
grep -qF 'devices.elf | exits 3' "$html/ch03-io-exits.html" ||
    fail "ch03-io-exits.html: the inspector's captured screen is not on the page"

mkdir -p "$shots"
(cd "$shots" && rm -f index.png ch01-bare-ioctl.png)
browse --screenshot="$(pwd)/$shots/index.png" index.html >/dev/null
# Tall enough for the first listings with their captions, and the first figure.
browse --screenshot="$(pwd)/$shots/ch01-bare-ioctl.png" ch01-bare-ioctl.html 3200 >/dev/null
[ -s "$shots/index.png" ] && [ -s "$shots/ch01-bare-ioctl.png" ] ||
    fail "no screenshots were taken"

[ "$failed" -eq 0 ] || { echo "book-check: the book is broken (see above)"; exit 1; }
echo "book-check: the tree and Related Pages list $(wc -l < "$tmp/titles") pages in reading order;" \
    "chapter 1 shows its $listings listings and $figures figures; screenshots in $shots/"
