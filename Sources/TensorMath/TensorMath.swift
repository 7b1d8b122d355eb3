// The TensorMath module. See Package.swift for its role.
