enum FormatLibrary {
    static var functions: [CELFunction] { [] }
}
