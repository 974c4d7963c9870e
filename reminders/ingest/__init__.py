"""Plans from documents: readers (text, Word, Excel) and the extractors that build an ImportedPlan."""
