enum SemverLibrary {
    static var functions: [CELFunction] { [] }
}
