"""Spreadsheets in and out: the columns both directions share, and `mapgen import` by stage.

Stages of an import, one module each: `read` (file -> rows of cells, within bounds), `headers`
(which column holds which field, and on which side), `rows` (action rows and phases), `dates`
(each date column's reading), `people` (people cells -> stakeholders on the right side), `plan`
(the run that ties them together) and `document` (plan-level values, checks, YAML). The words
they know are data in `columns.toml`, read by `vocabulary`. `formulas` keeps exported text inert.
"""
