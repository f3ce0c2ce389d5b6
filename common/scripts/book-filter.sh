#!/bin/sh
# book-filter.sh - Doxygen's input filter for the book's pages (FILTER_PATTERNS in
# book/Doxyfile): puts a caption above every listing saying where it comes from.
#
# usage: book-filter.sh PAGE.md   (Doxygen runs it and reads the page from stdout)
#
# A line '\snippet FILE NAME' becomes, on the same line so that Doxygen's line numbers
# stay right,
#   <div class="snippet-from">FILE, lines A-B</div> \snippet{lineno} FILE NAME
# where A-B are the lines between the two [NAME] markers in FILE. FILE is a link: to
# Doxygen's page of the file when Doxygen reads it (C and assembly outside tests/ and
# labs/), else to a plain-text copy that book.sh puts under html/src/ (FILE.txt). book.sh
# then points the link at the first line of the listing. Fenced code blocks are left alone.
#
# At the end of each page it adds links to the previous and the next page, in the order of
# the pages in book/Doxyfile's INPUT, which is the reading order.
set -u

# The pages in reading order, and the label ({#label} on the first line) of each.
pages=$(sed -n '/^INPUT[ \t]*=/,/[^\\]$/p' book/Doxyfile | tr -d '\\' | tr ' =\t' '\n\n\n' | grep '\.md$')
# Doxygen calls the main page (USE_MDFILE_AS_MAINPAGE) "index", whatever its own label.
mainpage=$(sed -n 's/^USE_MDFILE_AS_MAINPAGE[ \t]*=[ \t]*//p' book/Doxyfile)
label_of() {
    if [ "$1" = "$mainpage" ]; then echo index; else sed -n '1s/.*{#\([A-Za-z0-9_-]*\)}.*/\1/p' "$1"; fi
}
prev="" next="" seen=""
for p in $pages; do
    if [ -n "$seen" ] && [ -z "$next" ]; then next=$(label_of "$p"); fi
    case $1 in "$p" | */"$p") seen=1 ;; esac
    if [ -z "$seen" ]; then prev=$(label_of "$p"); fi
done

awk -v before="$prev" -v after="$next" '
function lines_of(f, name,    line, n, first, second, key) {
    n = 0
    key = "[" name "]"
    while ((getline line < f) > 0) {
        n++
        if (index(line, key)) {
            if (!first) first = n
            else if (!second) second = n
        }
    }
    close(f)
    if (!second) return ""
    return (first + 1) "-" (second - 1)
}
/^[ \t]*(```|~~~)/ { fenced = !fenced; print; next }
!fenced && /^[ \t]*\\snippet[ \t]/ {
    rest = $0
    sub(/^[ \t]*\\snippet[ \t]+/, "", rest)
    file = rest
    sub(/[ \t].*/, "", file)
    name = rest
    sub(/^[^ \t]+[ \t]+/, "", name)
    sub(/[ \t]+$/, "", name)
    range = lines_of(file, name)
    if (file ~ /\.(c|h|S)$/ && file !~ /\/(tests|labs)\//)
        link = "\\ref " file " \"" file "\""
    else
        link = "<a href=\"src/" file ".txt\">" file "</a>"
    print "<div class=\"snippet-from\">" link ", lines " range "</div> \\snippet{lineno} " file " " name
    next
}
{ print }
END {
    if (before == "" && after == "") exit
    print ""
    printf "<div class=\"book-nav\">"
    if (before != "") printf "Previous: \\ref %s ", before
    if (before != "" && after != "") printf "<br>"
    if (after != "") printf "Next: \\ref %s ", after
    print "</div>"
}
' "$1"
