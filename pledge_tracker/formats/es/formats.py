# Dates on the site's pages in Spanish: "26 de noviembre de 2026", "26 nov 2026",
# "noviembre de 2026". Numbers come from Django's own Spanish formats ("1 500", "56,85").
DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "j b Y"
YEAR_MONTH_FORMAT = r"F \d\e Y"
