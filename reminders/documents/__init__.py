"""The office's documents from report states: workbook, CSV, printable list, letter (pure).

Every function here takes report states already computed (reminders.reports.PlanView)
and the moment they describe (`now`), and returns bytes or text: no database, no clock.
"""
