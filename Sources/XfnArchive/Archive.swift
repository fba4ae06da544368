/// Safe layer extraction and single-file reads over libarchive.
