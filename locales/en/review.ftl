# Access reviews and changes to a live guest's access. Every key here exists in fr/review.ftl.

review-refused-already-answered = This guest was already reviewed.
review-refused-not-yours = Only the sponsor or a reviewer answers for this guest.
review-refused-with-approvers = The deadline passed: approvers decide now.
review-refused-own-access = A guest does not review itself.
