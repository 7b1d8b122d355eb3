// The Training module. See Package.swift for its role.
