"""How many of the demo's wrong answers get a misconception, and what matching costs per ``graded`` frame."""
