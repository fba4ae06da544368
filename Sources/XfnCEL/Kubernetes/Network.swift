enum NetworkLibrary {
    static var functions: [CELFunction] { [] }
}
