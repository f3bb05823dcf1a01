"""The clinic's patient records: shared by its prescribers and staff, audited on every
read and change, with documents kept in the (encrypted) database."""
