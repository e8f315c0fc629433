"""Analysis: the numbers behind the matrix, ACH and overview views and ``kzannotate report``. No Qt."""
