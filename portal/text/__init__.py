"""Words and text formats shared by pages, emails, exports and the back-office: the plain-English
labels for the contract's answers, the one HTML sanitiser of officers' text, and safe CSV."""
