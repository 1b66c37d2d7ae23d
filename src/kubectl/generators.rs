// STUB (replaced by the generators helper's file)
