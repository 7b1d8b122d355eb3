// The Metrics module. See Package.swift for its role.
