"""The static evidence browser (``results/browser/``): from any number of the mission-activity
table or of Figures 1 and 2 to the paragraphs behind it, with the matched words highlighted
and a link that opens the PDF at the page. See :mod:`.site`; CLI ``python -m analysis.browser
site``."""
