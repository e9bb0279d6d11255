# Dates on the site's pages in English: "November 26, 2026", "Nov 26, 2026", "November 2026".
DATE_FORMAT = "F j, Y"
SHORT_DATE_FORMAT = "M j, Y"
YEAR_MONTH_FORMAT = "F Y"
