enum URLLibrary {
    static var functions: [CELFunction] { [] }
}
