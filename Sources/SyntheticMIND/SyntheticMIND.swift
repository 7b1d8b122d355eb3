// The SyntheticMIND module. See Package.swift for its role.
