// The NewsModel module. See Package.swift for its role.
