"""Plans from documents: readers (text, Word, Excel) and the extractors of an ImportedPlan."""
